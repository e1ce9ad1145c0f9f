/**
 * The regions that region perturbation removes one at a time (Samek et al., "Evaluating the visualization of
 * what a deep neural network has learned", IEEE TNNLS 2017, Sec. III): single pixels, or k×k patches that tile
 * the image. A region holds every channel of its pixels, so an RGB pixel is perturbed as a whole.
 *
 * Per-sample shapes are read as images: [C, H, W] (CHW, as dtd's Conv2d takes them), [H, W] (one channel), or
 * [d] (a vector: a "patch" of size k is a run of k consecutive features). The patches start at the top-left
 * corner; where H or W is not a multiple of k, the last row or column of patches is narrower, so the patches
 * always tile the image exactly: every flat index belongs to exactly one region.
 *
 * A region's relevance is the sum of the relevance of its values: R_r = Σ_{p ∈ r} R_p.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import type { EvaluateError } from "./EvaluateError.ts";

/** A partition of the flat indices of one sample into regions, as compressed rows. */
export interface Regions {
  /** The per-sample shape the regions were made for. */
  readonly shape: readonly number[];
  /** The number of regions. */
  readonly count: number;
  /** Region r holds the flat indices `indices[offsets[r]]` … `indices[offsets[r + 1] − 1]`; offsets has count + 1 entries. */
  readonly offsets: Int32Array;
  /** The flat indices of all regions, region after region (a permutation of 0 … size − 1). */
  readonly indices: Int32Array;
}

/** [C, H, W] of a per-sample shape, or why it is not an image. */
const asImage = (shape: readonly number[]): E.Either<string, readonly [number, number, number]> => {
  if (shape.some((s) => !Number.isInteger(s) || s < 1)) return E.left(`positive integer extents`);
  if (shape.length === 1) return E.right([1, 1, shape[0]!]);
  if (shape.length === 2) return E.right([1, shape[0]!, shape[1]!]);
  if (shape.length === 3) return E.right([shape[0]!, shape[1]!, shape[2]!]);
  return E.left("a per-sample shape [d], [H, W] or [C, H, W]");
};

/** The k×k patches (k = 1: pixels) of a per-sample shape, row-major over patch rows then patch columns. */
export const patches = (shape: readonly number[], k: number): E.Either<EvaluateError, Regions> => {
  const image = asImage(shape);
  if (E.isLeft(image)) return E.left({ _tag: "ShapeMismatch", what: "the per-sample shape", expected: image.left, found: `[${shape.join(", ")}]` });
  if (!Number.isInteger(k) || k < 1) return E.left({ _tag: "InvalidOption", option: "patch", expected: "a positive integer patch size k (1: single pixels)", found: String(k) });
  const [C, H, W] = image.right;
  // A vector is one row: its patches are runs of k features.
  const kh = shape.length === 1 ? 1 : k;
  const rows = Math.ceil(H / kh);
  const cols = Math.ceil(W / k);
  const count = rows * cols;
  const offsets = new Int32Array(count + 1);
  const indices = new Int32Array(C * H * W);
  let at = 0;
  for (let pr = 0; pr < rows; pr++) {
    for (let pc = 0; pc < cols; pc++) {
      offsets[pr * cols + pc] = at;
      for (let c = 0; c < C; c++) {
        for (let h = pr * kh; h < Math.min(H, (pr + 1) * kh); h++) {
          for (let w = pc * k; w < Math.min(W, (pc + 1) * k); w++) indices[at++] = (c * H + h) * W + w;
        }
      }
    }
  }
  offsets[count] = at;
  return E.right({ shape: [...shape], count, offsets, indices });
};

/** The relevance of every region of sample `n` of flat relevance data R (size values per sample): Σ_{p ∈ r} R_p. */
export const regionRelevance = (regions: Regions, R: ArrayLike<number>, n: number): Float64Array => {
  const size = regions.indices.length;
  const out = new Float64Array(regions.count);
  const base = n * size;
  for (let r = 0; r < regions.count; r++) {
    let s = 0;
    for (let q = regions.offsets[r]!; q < regions.offsets[r + 1]!; q++) s += R[base + regions.indices[q]!]!;
    out[r] = s;
  }
  return out;
};
