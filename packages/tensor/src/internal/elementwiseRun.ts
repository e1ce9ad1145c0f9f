/**
 * The inner run of a broadcasting binary op for the built-in arithmetic: one tight loop per op, chosen once per
 * run by a switch, so that no closure is called per element (a shared `f(p, q)` call site is megamorphic and
 * not inlined by V8). `out[o + t] = A[ia + t·sa] ∘ B[ib + t·sb]` for t < len.
 * @module
 */
import type { FloatArray } from "../DType.ts";
import { positivePartBits } from "./kernels/positivePart.ts";

/** The built-in binary ops with a dedicated loop. */
export type BinaryCode = "add" | "sub" | "mul" | "div" | "divNoNan" | "maximum" | "minimum";

export const binaryRun = (
  code: BinaryCode,
  out: FloatArray,
  o: number,
  A: FloatArray,
  ia: number,
  sa: number,
  B: FloatArray,
  ib: number,
  sb: number,
  len: number,
): void => {
  switch (code) {
    case "add":
      for (let t = 0; t < len; t++, ia += sa, ib += sb) out[o + t] = A[ia]! + B[ib]!;
      return;
    case "sub":
      for (let t = 0; t < len; t++, ia += sa, ib += sb) out[o + t] = A[ia]! - B[ib]!;
      return;
    case "mul":
      for (let t = 0; t < len; t++, ia += sa, ib += sb) out[o + t] = A[ia]! * B[ib]!;
      return;
    case "div":
      for (let t = 0; t < len; t++, ia += sa, ib += sb) out[o + t] = A[ia]! / B[ib]!;
      return;
    case "divNoNan":
      for (let t = 0; t < len; t++, ia += sa, ib += sb) {
        const q = B[ib]!;
        out[o + t] = q === 0 ? 0 : A[ia]! / q;
      }
      return;
    case "maximum":
      for (let t = 0; t < len; t++, ia += sa, ib += sb) {
        const p = A[ia]!;
        const q = B[ib]!;
        out[o + t] = p >= q ? p : q;
      }
      return;
    case "minimum":
      for (let t = 0; t < len; t++, ia += sa, ib += sb) {
        const p = A[ia]!;
        const q = B[ib]!;
        out[o + t] = p <= q ? p : q;
      }
      return;
  }
};

/** The built-in unary ops with a dedicated loop. */
export type UnaryCode = "neg" | "abs" | "square" | "positivePart" | "negativePart" | "step" | "sign";

/** `out[i] = ∘ X[i]` for the whole array. */
export const unaryRun = (code: UnaryCode, out: FloatArray, X: FloatArray): void => {
  const n = X.length;
  switch (code) {
    case "neg":
      for (let i = 0; i < n; i++) out[i] = -X[i]!;
      return;
    case "abs":
      for (let i = 0; i < n; i++) out[i] = Math.abs(X[i]!);
      return;
    case "square":
      for (let i = 0; i < n; i++) out[i] = X[i]! * X[i]!;
      return;
    case "positivePart":
      // Branch-free on the bits where it can be (kernels/positivePart.ts), else the definition.
      if (positivePartBits(X, out)) return;
      for (let i = 0; i < n; i++) out[i] = X[i]! > 0 ? X[i]! : 0;
      return;
    case "negativePart":
      for (let i = 0; i < n; i++) out[i] = X[i]! < 0 ? X[i]! : 0;
      return;
    case "step":
      for (let i = 0; i < n; i++) out[i] = X[i]! > 0 ? 1 : 0;
      return;
    case "sign":
      for (let i = 0; i < n; i++) out[i] = X[i]! > 0 ? 1 : X[i]! < 0 ? -1 : 0;
      return;
  }
};
