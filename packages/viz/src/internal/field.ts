/**
 * Reading 2-D maps out of the shapes relevance and inputs come in: [H, W], [C, H, W], [1, C, H, W], or a flat
 * array with an explicit height and width.
 * @module
 */
import { invalid } from "../VizError.ts";

/** Anything with flat row-major data and a shape (a `Tensor` qualifies). */
export interface Field {
  readonly data: ArrayLike<number>;
  readonly shape: readonly number[];
}

/** Values with their layout: `channels` planes of height × width, channel-major (CHW). */
export interface Planes {
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  readonly data: ArrayLike<number>;
}

/** Explicit dimensions for flat data, or to check a field against. */
export interface Dims {
  readonly height?: number;
  readonly width?: number;
}

const isField = (x: Field | ArrayLike<number>): x is Field => "shape" in x && "data" in x;

const showShape = (s: readonly number[]): string => `[${s.join(", ")}]`;

/**
 * The CHW planes of `x`. Shapes: [H, W] → 1 channel; [C, H, W]; [1, C, H, W] (a batch of one). A flat array (or a
 * rank-1 field, or any field when dims are given) needs `height` and `width`, and must hold C·H·W values for an
 * integer C. Throws on a size mismatch or a non-finite value.
 */
export const toPlanes = (op: string, x: Field | ArrayLike<number>, dims: Dims = {}): Planes => {
  const data = isField(x) ? x.data : x;
  const shape = isField(x) ? x.shape : [data.length];
  let planes: Planes;
  if (dims.height !== undefined || dims.width !== undefined) {
    const { height, width } = dims;
    if (height === undefined || width === undefined || !Number.isInteger(height) || !Number.isInteger(width) || height < 1 || width < 1) {
      return invalid(op, "both height and width as positive integers", `height ${height}, width ${width}`);
    }
    const c = data.length / (height * width);
    if (!Number.isInteger(c) || c < 1) {
      return invalid(op, `a multiple of height × width = ${height * width} values`, `${data.length} values (shape ${showShape(shape)})`);
    }
    planes = { channels: c, height, width, data };
  } else if (shape.length === 2) {
    planes = { channels: 1, height: shape[0]!, width: shape[1]!, data };
  } else if (shape.length === 3) {
    planes = { channels: shape[0]!, height: shape[1]!, width: shape[2]!, data };
  } else if (shape.length === 4 && shape[0] === 1) {
    planes = { channels: shape[1]!, height: shape[2]!, width: shape[3]!, data };
  } else {
    return invalid(op, "a shape [H, W], [C, H, W] or [1, C, H, W], or flat data with height and width", `shape ${showShape(shape)}`);
  }
  if (planes.channels * planes.height * planes.width !== data.length) {
    return invalid(op, `${planes.channels * planes.height * planes.width} values for shape ${showShape(shape)}`, `${data.length}`);
  }
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) return invalid(op, "finite values", `${data[i]} at flat index ${i}`);
  }
  return planes;
};

/** The planes summed over channels into one H·W map (R_p = Σ_c R_cp: relevance is additive over channels). */
export const sumChannels = (p: Planes): Float64Array => {
  const n = p.height * p.width;
  const out = new Float64Array(n);
  for (let c = 0; c < p.channels; c++) {
    const off = c * n;
    for (let i = 0; i < n; i++) out[i]! += p.data[off + i]!;
  }
  return out;
};
