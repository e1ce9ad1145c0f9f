import { describe, expect, test } from "vitest";
import { wasmBlockSizes } from "../src/internal/kernels/gemm.ts";
import { wasmBlock } from "../src/internal/kernels/wasmBlock.ts";
import { decodeBase64 } from "../src/internal/kernels/wasmRuntime.ts";
import { wasmBase64 } from "../src/internal/kernels/wasm/gemmBlockWasm.ts";

describe("wasm block kernel", () => {
  test("decodeBase64: RFC 4648 test vectors, and an error naming a bad digit", () => {
    const text = (s: string): string => String.fromCharCode(...decodeBase64(s));
    expect(["", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"].map(text)).toEqual(["", "f", "fo", "foo", "foob", "fooba", "foobar"]);
    expect(Array.from(decodeBase64("//79"))).toEqual([255, 254, 253]);
    expect(() => decodeBase64("Zm9v!")).toThrow('decodeBase64: expected a base64 digit, found "!" at 4');
  });

  test("the embedded bytes are a version-1 WebAssembly module", () => {
    expect(Array.from(decodeBase64(wasmBase64).subarray(0, 8))).toEqual([0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
  });

  test("block computes c = ap·bp over packed 4×4 micro-panels, padding lanes included", () => {
    const w = wasmBlock(...wasmBlockSizes);
    if (w === undefined) throw new Error("expected WebAssembly SIMD under Node, found none");
    // A 5×3 block of A (two 4-row micro-panels) times a 3×6 block of B (two 4-column micro-panels).
    const [mb, nb, kb] = [5, 6, 3];
    const A = (i: number, p: number): number => i + 10 * p + 1;
    const B = (p: number, j: number): number => (p + 1) * (j - 2);
    for (let ir = 0; ir < 8; ir += 4) for (let p = 0; p < kb; p++) for (let ii = 0; ii < 4; ii++) w.ap[ir * kb + 4 * p + ii] = ir + ii < mb ? A(ir + ii, p) : 0;
    for (let jr = 0; jr < 8; jr += 4) for (let p = 0; p < kb; p++) for (let jj = 0; jj < 4; jj++) w.bp[jr * kb + 4 * p + jj] = jr + jj < nb ? B(p, jr + jj) : 0;
    w.c.fill(Number.NaN, 0, 64);
    w.block(mb, nb, kb, 0, 0, false);
    for (let i = 0; i < 8; i++) {
      for (let j = 0; j < 8; j++) {
        let s = 0;
        for (let p = 0; p < kb; p++) s += (i < mb ? A(i, p) : 0) * (j < nb ? B(p, j) : 0);
        expect(w.c[i * 8 + j]).toBe(s);
      }
    }
  });

  test("block32 computes c32 = ap32·bp32 in 4×8 tiles and a 4×4 tail, padding lanes included", () => {
    const w = wasmBlock(...wasmBlockSizes);
    if (w === undefined) throw new Error("expected WebAssembly SIMD under Node, found none");
    // Small integers: every float32 sum is exact. nb = 6 and 8 fill 4×8 tiles only; nb = 11 adds a 4×4 tail
    // (roundUp(11, 4) = 12); nb = 17 two 4×8 tiles and a tail.
    const A = (i: number, p: number): number => i - 2 * p + 3;
    const B = (p: number, j: number): number => (p + 2) * (j - 4);
    for (const [mb, nb, kb] of [[5, 6, 3], [4, 8, 1], [9, 11, 4], [3, 17, 5]] as const) {
      const mr = Math.ceil(mb / 4) * 4;
      const ldc = Math.ceil(nb / 4) * 4;
      for (let ir = 0; ir < mr; ir += 4) for (let p = 0; p < kb; p++) for (let ii = 0; ii < 4; ii++) w.ap32[ir * kb + 4 * p + ii] = ir + ii < mb ? A(ir + ii, p) : 0;
      for (let jr = 0; jr < ldc; jr += 4) for (let p = 0; p < kb; p++) for (let jj = 0; jj < 4; jj++) w.bp32[jr * kb + 4 * p + jj] = jr + jj < nb ? B(p, jr + jj) : 0;
      w.c32.fill(Number.NaN, 0, mr * ldc + 1);
      w.block32(mb, nb, kb, 0, 0, false);
      for (let i = 0; i < mr; i++) {
        for (let j = 0; j < ldc; j++) {
          let s = 0;
          for (let p = 0; p < kb; p++) s += (i < mb ? A(i, p) : 0) * (j < nb ? B(p, j) : 0);
          expect(w.c32[i * ldc + j], `${mb}×${nb}×${kb} c[${i}, ${j}]`).toBe(s);
        }
      }
      // Nothing past the roundUp(mb, 4) × roundUp(nb, 4) block is written.
      expect(w.c32[mr * ldc]).toBeNaN();
    }
  });

  test("add sums a block into c after the block's own sum (c + Σ), at row cRow; other rows are untouched", () => {
    const w = wasmBlock(...wasmBlockSizes);
    if (w === undefined) throw new Error("expected WebAssembly SIMD under Node, found none");
    // c starts at 2⁵³ (float64) / 2²⁴ (float32) and the block sums to 1 + 1: adding each product to c in turn
    // would leave c unchanged (ties to even), adding their sum gives c + 2.
    for (const [label, ap, bp, c, block, big] of [
      ["float64", w.ap, w.bp, w.c, w.block, 2 ** 53],
      ["float32", w.ap32, w.bp32, w.c32, w.block32, 2 ** 24],
    ] as const) {
      const [mb, nb, kb, cRow] = [4, 12, 2, 3];
      ap.fill(1, 0, 4 * kb);
      bp.fill(1, 0, nb * kb);
      c.fill(Number.NaN, 0, (cRow + 5) * nb);
      c.fill(big, cRow * nb, (cRow + mb) * nb);
      block(mb, nb, kb, 0, cRow, true);
      expect(Array.from(c.subarray(cRow * nb, (cRow + mb) * nb)), label).toEqual(new Array<number>(mb * nb).fill(big + 2));
      expect(c.subarray(0, cRow * nb).every(Number.isNaN), `${label}: rows above cRow`).toBe(true);
      expect(c.subarray((cRow + mb) * nb, (cRow + 5) * nb).every(Number.isNaN), `${label}: rows below`).toBe(true);
      block(mb, nb, kb, 0, cRow, false);
      expect(Array.from(c.subarray(cRow * nb, (cRow + mb) * nb)), `${label} overwritten`).toEqual(new Array<number>(mb * nb).fill(2));
    }
  });

  test("block32 sums in float32: 2²⁴ + 1 − 2²⁴ = 0", () => {
    const w = wasmBlock(...wasmBlockSizes);
    if (w === undefined) throw new Error("expected WebAssembly SIMD under Node, found none");
    const column = [2 ** 24, 1, -(2 ** 24)];
    for (let p = 0; p < 3; p++) for (let q = 0; q < 4; q++) [w.ap32[4 * p + q], w.bp32[4 * p + q]] = [1, column[p]!];
    w.block32(4, 4, 3, 0, 0, false);
    expect(Array.from(w.c32.subarray(0, 16))).toEqual(new Array<number>(16).fill(0));
  });
});
