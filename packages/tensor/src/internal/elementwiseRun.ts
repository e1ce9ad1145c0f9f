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
  // One copy per element type where all three agree, as binarySame: a broadcast run (a bias over a batch's rows)
  // at a load site that sees both types runs markedly slower than at a monomorphic one.
  if (out instanceof Float32Array && A instanceof Float32Array && B instanceof Float32Array) run32(code, out, o, A, ia, sa, B, ib, sb, len);
  else if (out instanceof Float64Array && A instanceof Float64Array && B instanceof Float64Array) run64(code, out, o, A, ia, sa, B, ib, sb, len);
  else runAny(code, out, o, A, ia, sa, B, ib, sb, len);
};

const runAny = (
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

// The Float64Array and Float32Array copies of runAny: keep the three identical but for the types.
const run64 = (
  code: BinaryCode,
  out: Float64Array,
  o: number,
  A: Float64Array,
  ia: number,
  sa: number,
  B: Float64Array,
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

const run32 = (
  code: BinaryCode,
  out: Float32Array,
  o: number,
  A: Float32Array,
  ia: number,
  sa: number,
  B: Float32Array,
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

/**
 * `out[i] = A[i] ∘ B[i]` for operands of one shape (the common case: a rule's quotient and products): the loops
 * of {@link binaryRun} without strides, one copy per element type. binaryRun's load sites see both Float32Array
 * and Float64Array in a process that computes in both dtypes, and run 30–45 % slower than these monomorphic ones
 * (measured on 2.8M float32 entries). Same arithmetic, so the same results to the bit.
 */
export const binarySame = (code: BinaryCode, out: FloatArray, A: FloatArray, B: FloatArray): void => {
  if (out instanceof Float32Array && A instanceof Float32Array && B instanceof Float32Array) same32(code, out, A, B);
  else if (out instanceof Float64Array && A instanceof Float64Array && B instanceof Float64Array) same64(code, out, A, B);
  else binaryRun(code, out, 0, A, 0, 1, B, 0, 1, out.length);
};

const same64 = (code: BinaryCode, out: Float64Array, A: Float64Array, B: Float64Array): void => {
  const n = out.length;
  switch (code) {
    case "add":
      for (let i = 0; i < n; i++) out[i] = A[i]! + B[i]!;
      return;
    case "sub":
      for (let i = 0; i < n; i++) out[i] = A[i]! - B[i]!;
      return;
    case "mul":
      for (let i = 0; i < n; i++) out[i] = A[i]! * B[i]!;
      return;
    case "div":
      for (let i = 0; i < n; i++) out[i] = A[i]! / B[i]!;
      return;
    case "divNoNan":
      for (let i = 0; i < n; i++) {
        const q = B[i]!;
        out[i] = q === 0 ? 0 : A[i]! / q;
      }
      return;
    case "maximum":
    case "minimum":
      binaryRun(code, out, 0, A, 0, 1, B, 0, 1, n);
      return;
  }
};

// The Float32Array copy of same64: keep them identical but for the type.
const same32 = (code: BinaryCode, out: Float32Array, A: Float32Array, B: Float32Array): void => {
  const n = out.length;
  switch (code) {
    case "add":
      for (let i = 0; i < n; i++) out[i] = A[i]! + B[i]!;
      return;
    case "sub":
      for (let i = 0; i < n; i++) out[i] = A[i]! - B[i]!;
      return;
    case "mul":
      for (let i = 0; i < n; i++) out[i] = A[i]! * B[i]!;
      return;
    case "div":
      for (let i = 0; i < n; i++) out[i] = A[i]! / B[i]!;
      return;
    case "divNoNan":
      for (let i = 0; i < n; i++) {
        const q = B[i]!;
        out[i] = q === 0 ? 0 : A[i]! / q;
      }
      return;
    case "maximum":
    case "minimum":
      binaryRun(code, out, 0, A, 0, 1, B, 0, 1, n);
      return;
  }
};
