/**
 * Which score is explained, for models whose final activation dtd dropped. A one-logit sigmoid model scores
 * class 1 with its logit z (σ(z) = P(class 1)); class 0 has P = 1 − σ(z) = σ(−z), so its logit is −z — the
 * same network with its last affine layer negated (and the linear pooling between it and the output, where there is one,
 * unchanged). Explaining class 0 that way keeps DTD's precondition f(x) ≥ 0 exactly where class 0 is the
 * prediction, instead of an all-negative map of the wrong class.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as L from "@dtd/layers";
import * as T from "@dtd/tensor";

/** Kinds that are linear without parameters: negating their input negates their output. */
const linearKinds: ReadonlySet<L.Kind> = new Set<L.Kind>(["flatten", "globalAvgPool", "avgPool2d", "sumPool", "identity", "add", "concat", "pad2d"]);

/**
 * The model whose output is minus this model's: the affine nodes that feed the output through linear
 * parameter-free nodes only (and feed nothing else) are negated. Left with the reason when the output depends
 * on a nonlinearity (a ReLU, max pooling) before any affine node.
 */
export const negateOutput = (m: L.Model): E.Either<string, L.Model> => {
  const consumers = L.consumersOf(m);
  const negate = new Set<number>();
  const visit = (i: number): string | undefined => {
    const n = m.nodes[i]!;
    if (L.isAffine(n.layer)) {
      negate.add(i);
      return undefined;
    }
    if (!linearKinds.has(n.layer.kind)) return `the output is reached through node "${n.name}" (${n.layer.kind}), which is not linear`;
    for (const p of m.sources[i]!) {
      if (p === 0) return `the output depends linearly on the model input (node "${n.name}")`;
      if (consumers[p]!.length !== 1) return `node "${m.nodes[p - 1]!.name}" also feeds other nodes`;
      const why = visit(p - 1);
      if (why !== undefined) return why;
    }
    return undefined;
  };
  const why = visit(m.nodes.length - 1);
  if (why !== undefined) return E.left(why);
  const specs = m.nodes.map((n, i) => {
    if (!negate.has(i) || !L.isAffine(n.layer)) return L.node(n.name, n.layer, n.inputs);
    return L.node(n.name, { ...n.layer, W: T.neg(n.layer.W), b: T.neg(n.layer.b) }, n.inputs);
  });
  return E.mapLeft(L.message)(L.build(m.inputShape, specs));
};
