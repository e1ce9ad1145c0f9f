/**
 * Reverse mode: `vjp`, `grad`, `valueAndGrad`, `customVjp`.
 *
 * `vjp(f, ...xs)` marks each input with a fresh identity node (so nesting works: the inner mark still depends
 * on the outer variable), evaluates f once, and returns the output with a pullback. The pullback sorts the nodes
 * between the marks and the output topologically, then sweeps them in reverse, building each node's cotangent
 * in a Map keyed by node id — nodes are never mutated. Cotangents are Vars computed with differentiable ops, so
 * `grad(grad(f))` works.
 * @module
 */
import * as T from "@dtd/tensor";
import { apply, record } from "./apply.ts";
import * as Op from "./ops.ts";
import { vjpRules, type VjpRule } from "./rules.ts";
import type { Primitive } from "./Primitive.ts";
import { constant, type Input, isVar, lift, type Var } from "./Var.ts";

/** A pullback: output cotangent to input cotangents. */
export type Pullback<C> = (ct: C) => C[];

/**
 * The nodes on a path from a marked input to `y`, in topological order (inputs first). Iterative DFS: deep
 * networks must not overflow the stack.
 */
const between = (y: Var, marks: ReadonlySet<number>): Var[] => {
  const order: Var[] = [];
  const state = new Map<number, boolean>(); // id → reaches a mark (set once finished)
  const stack: { v: Var; i: number }[] = [{ v: y, i: 0 }];
  const visiting = new Set<number>();
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const { v } = top;
    if (top.i === 0) {
      if (state.has(v.id)) {
        stack.pop();
        continue;
      }
      visiting.add(v.id);
    }
    const inputs = marks.has(v.id) || v.eqn === undefined ? [] : v.eqn.inputs;
    if (top.i < inputs.length) {
      const child = inputs[top.i++]!;
      if (!state.has(child.id) && !visiting.has(child.id)) stack.push({ v: child, i: 0 });
      continue;
    }
    stack.pop();
    visiting.delete(v.id);
    const reaches = marks.has(v.id) || inputs.some((u) => state.get(u.id) === true);
    state.set(v.id, reaches);
    if (reaches) order.push(v);
  }
  return order;
};

/** Adds a cotangent contribution into the map (summing where a node is used several times). */
const accumulate = (cts: Map<number, Var>, v: Var, ct: Var): void => {
  const prev = cts.get(v.id);
  cts.set(v.id, prev === undefined ? ct : Op.add(prev, ct));
};

/** The backward sweep from `y` (cotangent `ct`) down to the marked inputs. */
const backward = (y: Var, ct: Var, marks: readonly Var[]): Var[] => {
  const markIds = new Set(marks.map((m) => m.id));
  const order = between(y, markIds);
  const reaching = new Set(order.map((v) => v.id));
  const cts = new Map<number, Var>([[y.id, ct]]);
  for (let n = order.length - 1; n >= 0; n--) {
    const v = order[n]!;
    const g = cts.get(v.id);
    if (g === undefined || markIds.has(v.id) || v.eqn === undefined) continue;
    const eqn = v.eqn;
    const rule = vjpRules[eqn.primitive] as VjpRule<Primitive>;
    const grads = rule(g, eqn.inputs, v, eqn.params);
    eqn.inputs.forEach((u, i) => {
      const gi = grads[i];
      if (gi !== undefined && u.eqn !== undefined && reaching.has(u.id)) accumulate(cts, u, gi());
    });
  }
  return marks.map((m) => cts.get(m.id) ?? constant(T.zerosLike(m.value)));
};

/** Marks an input as a variable of differentiation. */
const mark = (x: Input): Var => {
  const v = lift(x, typeof x === "number" ? "float64" : isVar(x) ? x.value.dtype : x.dtype);
  return apply("identity", [v], {});
};

/**
 * `vjp` on Vars: returns the output Var and a pullback from an output cotangent Var to the inputs' cotangent
 * Vars. Use this form to nest derivatives.
 */
export const vjpVar = (f: (...xs: Var[]) => Var, ...xs: readonly Input[]): [Var, Pullback<Var>] => {
  const marks = xs.map(mark);
  const y = f(...marks);
  return [y, (ct: Var) => backward(y, ct, marks)];
};

/**
 * Vector-Jacobian product: `[f(xs), ct ↦ (∂f/∂xs)ᵀ ct]` on plain tensors.
 * The cotangent must have the output's shape and dtype.
 */
export const vjp = (f: (...xs: Var[]) => Var, ...xs: readonly T.Tensor[]): [T.Tensor, Pullback<T.Tensor>] => {
  const [y, pb] = vjpVar(f, ...xs);
  return [
    y.value,
    (ct: T.Tensor) => {
      if (!T.Shape.equals(ct.shape, y.value.shape) || ct.dtype !== y.value.dtype) {
        T.fail({
          _tag: "ShapeMismatch",
          op: "vjp",
          expected: `a cotangent of shape ${T.showShape(y.value.shape)} and dtype ${y.value.dtype}`,
          found: `${T.showShape(ct.shape)} ${ct.dtype}`,
        });
      }
      return pb(constant(ct)).map((g) => g.value);
    },
  ];
};

const scalarOut = (op: string, y: Var): void => {
  if (y.value.data.length !== 1) {
    T.fail({ _tag: "ShapeMismatch", op, expected: "a function with a single output value", found: `output shape ${T.showShape(y.value.shape)}` });
  }
};

/**
 * `valueAndGrad(f)`: a function returning f's (scalar) value and its gradient with respect to every argument,
 * as Vars (use `.value` for tensors).
 */
export const valueAndGrad =
  (f: (...xs: Var[]) => Var) =>
  (...xs: readonly Input[]): [Var, Var[]] => {
    const [y, pb] = vjpVar(f, ...xs);
    scalarOut("valueAndGrad", y);
    return [y, pb(constant(T.onesLike(y.value)))];
  };

/**
 * `grad(f)`: the gradient of a scalar function with respect to its first argument, as a function of Vars, so
 * that `grad(grad(f))` is a second derivative.
 */
export const grad =
  (f: (...xs: Var[]) => Var) =>
  (...xs: readonly Input[]): Var =>
    valueAndGrad(f)(...xs)[1][0]!;

/** The backward half of a custom VJP: input cotangents from the output cotangent (undefined = zero). */
export type CustomBackward = (ct: Var) => readonly (Var | undefined)[];

/**
 * `customVjp(name, fwd)`: a differentiable function whose backward pass is user supplied (JAX's `custom_vjp`).
 * `fwd` receives the inputs' tensors and returns the output and a `bwd` closure over any residuals; `bwd` builds
 * the input cotangents with differentiable ops.
 */
export const customVjp =
  (name: string, fwd: (...xs: T.Tensor[]) => { readonly y: T.Tensor; readonly bwd: CustomBackward }) =>
  (...xs: readonly Input[]): Var => {
    const dtype = xs.map((x) => (typeof x === "number" ? undefined : isVar(x) ? x.value.dtype : x.dtype)).find((d) => d !== undefined) ?? "float64";
    const vs = xs.map((x) => lift(x, dtype));
    const { y, bwd } = fwd(...vs.map((v) => v.value));
    return record("custom", vs, { name, bwd }, y);
  };

/**
 * The transpose of a linear function (JAX's `linear_transpose`): `ct ↦ fᵀ·ct`, for inputs of `shape` and
 * `dtype`. f is traced once, at zeros; because f is linear its VJP is the same at every point, so the returned
 * function serves every input of that shape and costs one transposed product per call, no forward pass.
 * The caller promises that f is linear (no bias, no nonlinearity).
 */
export const linearTranspose = (f: (x: Var) => Var, shape: T.Shape.Shape, dtype: T.DType): ((ct: T.Tensor) => T.Tensor) => {
  const [, pb] = vjp(f, T.zeros(shape, dtype));
  return (ct) => pb(ct)[0]!;
};
