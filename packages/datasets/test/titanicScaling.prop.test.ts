/**
 * The scaling of tabular features and its box (data/titanicScaling.ts), as properties over random matrices: the
 * box holds 0 (l ≤ 0 ≤ h, what the zᵇ-rule needs), every training row lands inside it, any later row is clipped
 * into it, binary columns keep their values under "standard", and only "minmax" keeps the box inside ℝ₊ᵈ.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { expectAllClose } from "@dtd/tensor/testing";
import { SCALINGS, TitanicScaling } from "@dtd/datasets";

/** An n × d matrix whose binary columns hold 0/1 and whose other columns hold finite values of any sign. */
const matrix = fc
  .record({ n: fc.integer({ min: 1, max: 12 }), binary: fc.array(fc.boolean(), { minLength: 1, maxLength: 6 }) })
  .chain(({ n, binary }) =>
    fc
      .tuple(
        // Multiples of 1/8: spreads are either 0 or far from the subnormals.
        fc.array(fc.integer({ min: -8000, max: 8000 }).map((k) => k / 8), { minLength: n * binary.length, maxLength: n * binary.length }),
        fc.array(fc.double({ min: -1e4, max: 1e4, noNaN: true, noDefaultInfinity: true }), { minLength: binary.length, maxLength: binary.length }),
        fc.constantFrom(...SCALINGS),
      )
      .map(([values, later, scaling]) => {
        const d = binary.length;
        const x = Float64Array.from(values, (v, k) => (binary[k % d]! ? (v > 0 ? 1 : 0) : v));
        return { n, binary, x, later: Float64Array.from(later), scaling };
      }),
  );

test("the box holds 0, training rows lie in it, later rows are clipped into it", () => {
  fc.assert(
    fc.property(matrix, ({ n, binary, x, later, scaling }) => {
      const s = TitanicScaling.fit({ scaling, x, n, binary });
      const d = binary.length;
      const tol = 1e-9;
      for (let j = 0; j < d; j++) {
        expect(s.low[j]!).toBeLessThanOrEqual(0);
        expect(s.high[j]!).toBeGreaterThanOrEqual(0);
      }
      for (const rows of [TitanicScaling.transform(s, x), TitanicScaling.transform(s, later)]) {
        rows.forEach((v, k) => {
          expect(v).toBeGreaterThanOrEqual(s.low[k % d]! - tol);
          expect(v).toBeLessThanOrEqual(s.high[k % d]! + tol);
        });
      }
      const scaled = TitanicScaling.transform(s, x);
      binary.forEach((b, j) => {
        if (!b) return;
        expect([s.low[j], s.high[j]]).toEqual([0, 1]);
        for (let r = 0; r < n; r++) expect(scaled[r * d + j]).toBe(x[r * d + j]);
      });
      if (scaling === "minmax") expect(scaled.every((v) => v >= 0 && v <= 1)).toBe(true);
    }),
  );
});

test("standard: each continuous column of the training rows has mean 0 and, unless constant, standard deviation 1", () => {
  fc.assert(
    fc.property(matrix, ({ n, binary, x }) => {
      const s = TitanicScaling.fit({ scaling: "standard", x, n, binary });
      const scaled = TitanicScaling.transform(s, x);
      const d = binary.length;
      binary.forEach((b, j) => {
        if (b) return;
        const c = Array.from({ length: n }, (_, r) => scaled[r * d + j]!);
        const mean = c.reduce((a, v) => a + v, 0) / n;
        const sd = Math.sqrt(c.reduce((a, v) => a + (v - mean) ** 2, 0) / n);
        const constant = Array.from({ length: n }, (_, r) => x[r * d + j]).every((v) => v === x[j]);
        expectAllClose([mean, sd], [0, constant ? 0 : 1], { atol: 1e-9 });
      });
    }),
  );
});
