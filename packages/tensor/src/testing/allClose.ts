/**
 * The shared float comparison: |actual − expected| ≤ atol + rtol·|expected|, element by element (NumPy's
 * `allclose`). Shapes must match; NaN never compares equal.
 * @module
 */
import type { AnyTensor } from "../Tensor.ts";

/** Tolerances: absolute and relative. */
export interface Tolerance {
  readonly atol?: number;
  readonly rtol?: number;
}

/** What can be compared: tensors, typed arrays, number arrays, numbers. */
export type Numeric = AnyTensor | ArrayLike<number> | number;

/** The outcome of a comparison, with a report naming the worst element. */
export interface CloseReport {
  readonly ok: boolean;
  readonly message: string;
  readonly maxAbsError: number;
}

const flatten = (x: Numeric): { data: ArrayLike<number>; shape: readonly number[] | undefined } => {
  if (typeof x === "number") return { data: [x], shape: undefined };
  if ("data" in x && "shape" in x && "dtype" in x) return { data: x.data, shape: x.shape };
  return { data: x as ArrayLike<number>, shape: undefined };
};

/** Compares two numeric values within tolerance (defaults atol 1e-12, rtol 1e-9). */
export const allClose = (actual: Numeric, expected: Numeric, tol: Tolerance = {}): CloseReport => {
  const atol = tol.atol ?? 1e-12;
  const rtol = tol.rtol ?? 1e-9;
  const a = flatten(actual);
  const e = flatten(expected);
  if (a.shape && e.shape && (a.shape.length !== e.shape.length || a.shape.some((d, i) => d !== e.shape![i]))) {
    return { ok: false, maxAbsError: Infinity, message: `shape mismatch: expected [${e.shape.join(", ")}], found [${a.shape.join(", ")}]` };
  }
  if (a.data.length !== e.data.length) {
    return { ok: false, maxAbsError: Infinity, message: `length mismatch: expected ${e.data.length}, found ${a.data.length}` };
  }
  let worst = -1;
  let worstExcess = 0;
  let maxAbs = 0;
  let failures = 0;
  for (let i = 0; i < a.data.length; i++) {
    const x = a.data[i]!;
    const y = e.data[i]!;
    const err = Math.abs(x - y);
    const bound = atol + rtol * Math.abs(y);
    if (!(err <= bound) || Number.isNaN(x) !== Number.isNaN(y)) {
      failures++;
      const excess = Number.isNaN(err) ? Infinity : err - bound;
      if (worst < 0 || excess > worstExcess) {
        worst = i;
        worstExcess = excess;
      }
    }
    if (err > maxAbs || Number.isNaN(err)) maxAbs = Number.isNaN(err) ? Infinity : err;
  }
  if (worst < 0) return { ok: true, maxAbsError: maxAbs, message: `all ${a.data.length} elements within atol ${atol}, rtol ${rtol}` };
  return {
    ok: false,
    maxAbsError: maxAbs,
    message:
      `${failures} of ${a.data.length} elements differ beyond atol ${atol}, rtol ${rtol}; ` +
      `worst at flat index ${worst}: expected ${e.data[worst]}, found ${a.data[worst]} (|diff| ${Math.abs(a.data[worst]! - e.data[worst]!)})`,
  };
};

/** Throws an Error with the comparison report unless `actual` is close to `expected`. */
export const expectAllClose = (actual: Numeric, expected: Numeric, tol: Tolerance = {}): void => {
  const r = allClose(actual, expected, tol);
  if (!r.ok) throw new Error(`expectAllClose: ${r.message}`);
};
