/**
 * Canonization (zennit's "merge batch-norm" canonizer): a ScaleShift right after a Dense or Conv2d layer is
 * folded into it, since an affine map followed by a per-feature affine map is one affine map:
 *
 *   (Σ_i x_i w_ij + b_j)·s_j + t_j = Σ_i x_i (w_ij·s_j) + (b_j·s_j + t_j),
 *
 * so W'_ij = W_ij·s_j and b'_j = b_j·s_j + t_j (per output channel o for a convolution: W'[o] = W[o]·s_o).
 * Deep Taylor rules are defined for Dense/Conv2d + ReLU blocks; after canonization a batch-normalised network
 * has that form and explains the same function. A ScaleShift with no affine layer before it stays as it is.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as T from "@dtd/tensor";
import { type Affine, isAffine, type Layer, type ScaleShift } from "./Layer.ts";
import { LayerException } from "./LayerError.ts";
import { build, type Model } from "./Sequential.ts";

/**
 * The affine layer equal to `layer` followed by `ss`. Scale and shift must have one entry per output of the
 * layer (W's last axis for Dense, its first for Conv2d).
 */
export const foldScaleShift = <A extends Affine>(layer: A, ss: ScaleShift): A => {
  const outputs = layer.b.data.length;
  const s = ss.scale.data;
  const t = ss.shift.data;
  if (s.length !== outputs || t.length !== outputs) {
    T.fail({
      _tag: "ShapeMismatch",
      op: "foldScaleShift",
      expected: `scale and shift of shape [${outputs}] (one per output of the ${layer.kind} layer)`,
      found: `${T.showShape(ss.scale.shape)} and ${T.showShape(ss.shift.shape)}`,
    });
  }
  const w = layer.W.data;
  const W = T.alloc(layer.W.dtype, w.length);
  if (layer.kind === "dense") {
    // W [in, out]: column j scales by s_j.
    for (let i = 0; i < w.length; i += outputs) for (let j = 0; j < outputs; j++) W[i + j] = w[i + j]! * s[j]!;
  } else {
    // W [O, I, KH, KW]: the block of output channel o scales by s_o.
    const block = w.length / outputs;
    for (let o = 0; o < outputs; o++) for (let k = o * block; k < (o + 1) * block; k++) W[k] = w[k]! * s[o]!;
  }
  const b = T.alloc(layer.b.dtype, outputs);
  for (let j = 0; j < outputs; j++) b[j] = layer.b.data[j]! * s[j]! + t[j]!;
  return { ...layer, W: T.unsafeMake(layer.W.shape, W), b: T.unsafeMake(layer.b.shape, b) };
};

/** The model with every ScaleShift that directly follows a Dense or Conv2d folded into it (repeatedly). */
export const canonize = (model: Model): Model => {
  const out: Layer[] = [];
  for (const layer of model.layers) {
    const prev = out[out.length - 1];
    if (layer.kind === "scaleShift" && prev !== undefined && isAffine(prev)) out[out.length - 1] = foldScaleShift(prev, layer);
    else out.push(layer);
  }
  const rebuilt = build(model.inputShape, out);
  // Folding keeps every remaining layer's input shape, so a built model stays buildable.
  if (E.isLeft(rebuilt)) throw new LayerException(rebuilt.left);
  return rebuilt.right;
};
