/**
 * Canonization (zennit's "merge batch-norm" canonizer) on graph models: a per-feature affine map y = s⊙x + t —
 * a ScaleShift, or a BatchNorm at inference with s = scale / √(variance + ε) and t = shift − mean·s — is folded
 * into an adjacent affine layer (Dense, Conv2d, DepthwiseConv2d), since affine maps compose:
 *
 * - into the layer **before** it, when that layer's output feeds the normalisation alone:
 *     (Σ_i x_i w_ij + b_j)·s_j + t_j = Σ_i x_i (w_ij s_j) + (b_j s_j + t_j)
 *   (per output channel o of a convolution: W'[o] = W[o]·s_o);
 * - otherwise into **every layer after** it (e.g. a batch norm after a ReLU), when all of them are affine and
 *   take it as their only input:  Σ_i (s_i x_i + t_i) w_ij + b_j = Σ_i x_i (s_i w_ij) + (b_j + Σ_i t_i w_ij)
 *   — exact for Dense layers and for convolutions without zero padding; a padded convolution reads zeros at the
 *   border that the shift would never have reached, so folding into it would change f, and it is refused.
 *
 * `canonize` applies every fold that is exact in exact arithmetic; `canonizeChecked` also runs the model on the
 * inputs to be explained before and after each fold and refuses any fold that changes f beyond rounding. What
 * cannot be folded stays a node of its own, which deep Taylor decomposition explains by a documented rule.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as T from "@dtd/tensor";
import { unsafeMake } from "@dtd/tensor/unsafe";
import { type Affine, isAffine, type Layer, type ScaleShift } from "./Layer.ts";
import type { LayerError } from "./LayerError.ts";
import { LayerException } from "./LayerError.ts";
import { build, consumersOf, forward, type Model, nameAt, type NodeSpec } from "./Model.ts";

/** A folded normalisation: node `node` went into the affine node(s) `into`. */
export interface Fold {
  readonly node: string;
  readonly kind: "scaleShift" | "batchNorm";
  readonly side: "previous" | "next";
  readonly into: readonly string[];
}

/** A normalisation left as its own node, and why. */
export interface Kept {
  readonly node: string;
  readonly kind: "scaleShift" | "batchNorm";
  readonly reason: string;
}

/** The canonized model with what was folded and what was kept. */
export interface Canonized {
  readonly model: Model;
  readonly folded: readonly Fold[];
  readonly kept: readonly Kept[];
}

/** A per-feature affine map y = s⊙x + t (flat per-feature vectors, float64). */
interface FeatureAffine {
  readonly s: Float64Array;
  readonly t: Float64Array;
}

type Norm = Extract<Layer, { kind: "scaleShift" | "batchNorm" }>;
const isNorm = (l: Layer): l is Norm => l.kind === "scaleShift" || l.kind === "batchNorm";

/** s and t of a ScaleShift or a BatchNorm at inference. */
export const featureAffine = (l: Norm): FeatureAffine => {
  if (l.kind === "scaleShift") return { s: Float64Array.from(l.scale.data), t: Float64Array.from(l.shift.data) };
  const s = Float64Array.from(l.scale.data, (g, k) => g / Math.sqrt(l.variance.data[k]! + l.epsilon));
  const t = Float64Array.from(l.shift.data, (b, k) => b - l.mean.data[k]! * s[k]!);
  return { s, t };
};

/** The weights of output unit/channel o of an affine layer are one contiguous block of W (W [in, out] is strided). */
const outputs = (layer: Affine): number => layer.b.data.length;

/**
 * The affine layer equal to `layer` followed by `ss` (scale and shift one per output of the layer: W's last axis
 * for Dense, its first for Conv2d, channels × multiplier for DepthwiseConv2d).
 */
export const foldScaleShift = <A extends Affine>(layer: A, ss: ScaleShift): A => {
  const n = outputs(layer);
  if (ss.scale.data.length !== n || ss.shift.data.length !== n) {
    T.fail({
      _tag: "ShapeMismatch",
      op: "foldScaleShift",
      expected: `scale and shift of shape [${n}] (one per output of the ${layer.kind} layer)`,
      found: `${T.showShape(ss.scale.shape)} and ${T.showShape(ss.shift.shape)}`,
    });
  }
  return foldAfter(layer, { s: Float64Array.from(ss.scale.data), t: Float64Array.from(ss.shift.data) });
};

/** W'_ij = W_ij·s_j, b'_j = b_j·s_j + t_j (s, t one per output). */
const foldAfter = <A extends Affine>(layer: A, { s, t }: FeatureAffine): A => {
  const n = outputs(layer);
  const w = layer.W.data;
  const W = T.alloc(layer.W.dtype, w.length);
  if (layer.kind === "dense") {
    // W [in, out]: column j scales by s_j.
    for (let i = 0; i < w.length; i += n) for (let j = 0; j < n; j++) W[i + j] = w[i + j]! * s[j]!;
  } else {
    // W [O, I, KH, KW] or [C, M, KH, KW]: the block of output channel o scales by s_o.
    const block = w.length / n;
    for (let o = 0; o < n; o++) for (let k = o * block; k < (o + 1) * block; k++) W[k] = w[k]! * s[o]!;
  }
  const b = T.alloc(layer.b.dtype, n);
  for (let j = 0; j < n; j++) b[j] = layer.b.data[j]! * s[j]! + t[j]!;
  return { ...layer, W: unsafeMake(layer.W.shape, W), b: unsafeMake(layer.b.shape, b) };
};

/**
 * W'_ij = s_i·W_ij, b'_j = b_j + Σ_i t_i W_ij (s, t one per input feature or channel), or why it would not be
 * exact (zero padding).
 */
const foldBefore = <A extends Affine>(layer: A, { s, t }: FeatureAffine): E.Either<string, A> => {
  if (layer.kind !== "dense" && (layer.padding[0] > 0 || layer.padding[1] > 0)) {
    return E.left(`${layer.kind} pads with zeros, which the shift would not reach (folding would change f at the border)`);
  }
  const w = layer.W.data;
  const W = T.alloc(layer.W.dtype, w.length);
  const b = Float64Array.from(layer.b.data);
  if (layer.kind === "dense") {
    const n = outputs(layer);
    for (let i = 0; i < s.length; i++) {
      for (let j = 0; j < n; j++) {
        W[i * n + j] = w[i * n + j]! * s[i]!;
        b[j] = b[j]! + t[i]! * w[i * n + j]!;
      }
    }
  } else {
    // Conv2d W [O, C, KH, KW]: input channel c of every filter; DepthwiseConv2d W [C, M, KH, KW]: filter (c, m).
    const [d0, d1, kh, kw] = layer.W.shape as [number, number, number, number];
    const taps = kh * kw;
    for (let a = 0; a < d0; a++) {
      for (let c = 0; c < d1; c++) {
        const channel = layer.kind === "conv2d" ? c : a;
        const out = a * d1 + c;
        const o = layer.kind === "conv2d" ? a : out;
        for (let k = out * taps; k < (out + 1) * taps; k++) {
          W[k] = w[k]! * s[channel]!;
          b[o] = b[o]! + t[channel]! * w[k]!;
        }
      }
    }
  }
  return E.right({ ...layer, W: unsafeMake(layer.W.shape, W), b: T.astype(T.of(b, [...layer.b.shape]), layer.b.dtype) });
};

/** The node specs of a model, names and inputs explicit. */
const specsOf = (m: Model): { name: string; layer: Layer; inputs: string[] }[] => m.nodes.map((n) => ({ name: n.name, layer: n.layer, inputs: [...n.inputs] }));

const rebuild = (m: Model, specs: readonly NodeSpec[]): Model => {
  const r = build(m.inputShape, specs);
  // Folding keeps every remaining node's input shapes, so a built model stays buildable.
  if (E.isLeft(r)) throw new LayerException(r.left);
  return r.right;
};

/** A candidate fold of normalisation node k, or why there is none. */
type Step = E.Either<string, { readonly model: Model; readonly fold: Fold }>;

/** Folds normalisation node k into the affine node before it, or else into every node after it. */
const foldNode = (m: Model, k: number, consumers: readonly (readonly number[])[]): Step => {
  const normNode = m.nodes[k]!;
  const norm = normNode.layer as Norm;
  const affine = featureAffine(norm);
  const src = m.sources[k]![0]!;
  const specs = specsOf(m);
  const rename = (from: string, to: string): void => specs.forEach((s) => (s.inputs = s.inputs.map((r) => (r === from ? to : r))));
  const prev = src > 0 ? m.nodes[src - 1]! : undefined;
  if (prev !== undefined && isAffine(prev.layer) && consumers[src]!.length === 1) {
    specs[src - 1] = { ...specs[src - 1]!, layer: foldAfter(prev.layer, affine) };
    specs.splice(k, 1);
    rename(normNode.name, prev.name);
    return E.right({ model: rebuild(m, specs), fold: { node: normNode.name, kind: norm.kind, side: "previous", into: [prev.name] } });
  }
  const after = consumers[k + 1]!;
  const why = prev === undefined ? "the model input comes before it" : `${prev.name} (${prev.layer.kind}) comes before it${isAffine(prev.layer) ? " and feeds other layers too" : ""}`;
  if (after.length === 0) return E.left(`${why}, and it is the model's output`);
  for (const c of after) {
    const next = m.nodes[c]!;
    if (!isAffine(next.layer)) return E.left(`${why}, and ${next.name} (${next.layer.kind}) after it is not an affine layer`);
    if (m.sources[c]!.length !== 1) return E.left(`${why}, and ${next.name} after it has other inputs`);
    const folded = foldBefore(next.layer, affine);
    if (E.isLeft(folded)) return E.left(`${why}, and ${next.name} after it: ${folded.left}`);
    specs[c] = { ...specs[c]!, layer: folded.right };
  }
  const inputName = nameAt(m, src);
  specs.splice(k, 1);
  rename(normNode.name, inputName);
  return E.right({ model: rebuild(m, specs), fold: { node: normNode.name, kind: norm.kind, side: "next", into: after.map((c) => m.nodes[c]!.name) } });
};

/** Folds until no normalisation can be folded; `accept` may refuse a fold (with a reason). */
const canonizeWith = (model: Model, accept: (before: Model, after: Model) => string | undefined): Canonized => {
  let m = model;
  const folded: Fold[] = [];
  const kept = new Map<string, Kept>();
  for (;;) {
    const consumers = consumersOf(m);
    let changed = false;
    for (let k = 0; k < m.nodes.length && !changed; k++) {
      const n = m.nodes[k]!;
      if (!isNorm(n.layer) || kept.has(n.name)) continue;
      const step = foldNode(m, k, consumers);
      const refused = E.isLeft(step) ? step.left : accept(m, step.right.model);
      if (refused !== undefined || E.isLeft(step)) {
        kept.set(n.name, { node: n.name, kind: n.layer.kind, reason: refused ?? "" });
        continue;
      }
      m = step.right.model;
      folded.push(step.right.fold);
      changed = true;
    }
    if (!changed) break;
  }
  // A kept node may have become foldable after another fold, but each was tried last against the final graph.
  const names = new Set(m.nodes.map((n) => n.name));
  return { model: m, folded, kept: [...kept.values()].filter((k) => names.has(k.node)) };
};

/** Every normalisation folded that can be folded exactly (in exact arithmetic), with the report of what was done. */
export const canonizeReport = (model: Model): Canonized => canonizeWith(model, () => undefined);

/** The model with every ScaleShift and BatchNorm folded into an adjacent affine layer where that is exact. */
export const canonize = (model: Model): Model => canonizeReport(model).model;

/** Options of `canonizeChecked`. */
export interface CanonizeCheckOptions {
  /** Largest change of f allowed, relative to max |f| (default 1e-9 for float64 models, 1e-4 for float32). */
  readonly rtol?: number;
}

/**
 * `canonize`, with the folds verified on the inputs `x` to be explained: the model's outputs must equal the
 * original outputs within rounding (|Δf| ≤ rtol·max |f|). All folds are checked at once (one forward pass); if
 * that changes f, each fold is checked on its own and the ones that change f are refused — the node kept, with
 * the change it would have caused as the reason. Left when `x` does not fit the model.
 */
export const canonizeChecked = (model: Model, x: T.Tensor, opts: CanonizeCheckOptions = {}): E.Either<LayerError, Canonized> => {
  const before = (m: Model): T.Tensor => forward(m, x).output;
  let original: T.Tensor;
  try {
    original = before(model);
  } catch (u) {
    if (u instanceof LayerException) return E.left(u.error);
    throw u;
  }
  const rtol = opts.rtol ?? (x.dtype === "float32" ? 1e-4 : 1e-9);
  let scale = 0;
  for (const v of original.data) scale = Math.max(scale, Math.abs(v));
  const change = (next: Model): number => {
    const y = before(next).data;
    let worst = 0;
    for (let i = 0; i < y.length; i++) worst = Math.max(worst, Math.abs(y[i]! - original.data[i]!));
    return worst;
  };
  // Fast path: every fold at once, one forward pass; only when that changes f are the folds checked one by one.
  const all = canonizeReport(model);
  if (all.folded.length === 0 || change(all.model) <= rtol * scale) return E.right(all);
  return E.right(
    canonizeWith(model, (_prev, next) => {
      const worst = change(next);
      return worst <= rtol * scale ? undefined : `folding it would change f by ${worst.toPrecision(3)} (${((100 * worst) / Math.max(scale, Number.MIN_VALUE)).toPrecision(3)} % of max |f|) on the inputs explained`;
    }),
  );
};
