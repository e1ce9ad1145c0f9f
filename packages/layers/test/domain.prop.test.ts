/**
 * Domains are values: a membership test, the segment logic of the root search and a sampler, which must agree —
 * every sample lies inside, and x − s·v lies inside exactly for the steps s of `segment` — for the built-ins
 * (ℝᵈ, ℝ₊ᵈ, ℝ₋ᵈ, boxes that contain 0 or not, the simplex, half-spaces) and the ball, declared by its functions.
 */
import * as E from "fp-ts/lib/Either.js";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import * as L from "@dtd/layers";

const right = <A>(e: E.Either<string, A>): A => {
  if (E.isLeft(e)) throw new Error(e.left);
  return e.right;
};

const domains: readonly [string, L.DomainT][] = [
  ["ℝᵈ", L.Domain.real],
  ["ℝ₊ᵈ", L.Domain.nonNegative],
  ["ℝ₋ᵈ", L.Domain.nonPositive],
  ["the box [−1, 2]", right(L.Domain.box(-1, 2))],
  ["the box [0.2, 1], which excludes 0", right(L.Domain.box(0.2, 1))],
  ["a box of per-unit bounds", right(L.Domain.box(T.of([-1, 0.5, -3], [3]), T.of([0, 1, -2], [3])))],
  ["the simplex", L.Domain.simplex],
  ["the half-space Σx ≤ 1", right(L.Domain.halfSpace(1, 1))],
  ["the half-space x₀ − 2x₂ ≤ −0.5", right(L.Domain.halfSpace(T.of([1, 0, -2], [3]), -0.5))],
  ["the ball ‖x‖ ≤ 2 (a convex set declared by its functions)", right(L.Domain.ball(2))],
];

describe.each(domains)("%s", (_name, domain) => {
  test("its sampler draws inside it", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        const x = domain.sample(T.Random.make(seed), 3);
        expect(x.length).toBe(3);
        const out = L.Domain.firstOutside(domain, x, 1e-12);
        expect(out, `${Array.from(x)} left at ${JSON.stringify(out)}`).toBeUndefined();
      }),
    );
  });
  test("x − s·v lies inside exactly for the steps s of its segment", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 3, maxLength: 3 }),
        fc.double({ min: -4, max: 4, noNaN: true }),
        (seed, v, s) => {
          const x = domain.sample(T.Random.make(seed), 3);
          const { lo, hi } = domain.segment(x, v, 1e-9);
          const inside = L.Domain.contains(domain, x.map((xi, i) => xi - s * v[i]!), 1e-9);
          // Away from the interval's ends (rounding), membership and the segment agree.
          const margin = 1e-6 * (1 + Math.abs(s));
          if (s > lo + margin && s < hi - margin) expect(inside).toBe(true);
          if (s < lo - margin || s > hi + margin) expect(inside).toBe(false);
          // x itself lies inside, so s = 0 is always allowed.
          expect(lo <= 1e-9 && hi >= -1e-9).toBe(true);
        },
      ),
    );
  });
});

describe("membership reports", () => {
  test("name the unit and what was expected, or the constraint for a coupling one", () => {
    expect(L.Domain.firstOutside(L.Domain.nonPositive, [-1, 0.5, -2])).toEqual({ index: 1, unit: 1, value: 0.5, expected: "x ≤ 0" });
    expect(L.Domain.firstOutside(right(L.Domain.box(0.2, 1)), [0.5, 0.1])).toEqual({ index: 1, unit: 1, value: 0.1, expected: "0.2 ≤ x ≤ 1" });
    expect(L.Domain.firstOutside(L.Domain.real, [0, Infinity])).toEqual({ index: 1, unit: 1, value: Infinity, expected: "a finite number" });
    const out = L.Domain.firstOutside(L.Domain.simplex, [0.5, 0.7]);
    expect(out?.unit).toBe(-1);
    expect(out?.expected).toBe("Σ_i x_i = 1");
    expect(out?.value).toBeCloseTo(1.2, 12);
    expect(L.Domain.firstOutside(right(L.Domain.ball(1)), [0.6, 0.9])).toMatchObject({ index: 2, unit: -1, expected: "‖x‖ ≤ 1" });
    expect(L.Domain.firstOutside(right(L.Domain.ball(1)), [0.6, 0.9])?.value).toBeCloseTo(Math.hypot(0.6, 0.9), 14);
    // units first, then the constraint: a scan resumes after each
    expect(L.Domain.firstOutside(L.Domain.simplex, [-0.5, 0.7], 0, 1)?.index).toBe(2);
  });
  test("refuse domains that cannot be", () => {
    expect(L.Domain.box(1, 0)).toEqual(E.left("box: expected low ≤ high at every feature, found 1 > 0 at feature 0"));
    expect(L.Domain.box(-Infinity, 0)).toEqual(E.left("box: expected a finite low bound at every feature, found -Infinity at feature 0"));
    expect(L.Domain.halfSpace(0, 1)).toEqual(E.left("halfSpace: expected a non-zero normal a, found all zeros"));
    expect(L.Domain.halfSpace(1, NaN)).toEqual(E.left("halfSpace: expected a finite bound c, found NaN"));
    expect(L.Domain.ball(0)).toEqual(E.left("ball: expected a finite radius r > 0, found 0"));
  });
  test("the segment of the simplex only allows directions that keep Σx", () => {
    const x = [0.2, 0.3, 0.5];
    const across = L.Domain.simplex.segment(x, [1, 1, 1], 0); // Σ(x − s·1) = 1 − 3s: s = 0 only
    expect(Math.abs(across.lo)).toBeLessThan(1e-15);
    expect(Math.abs(across.hi)).toBeLessThan(1e-15);
    const along = L.Domain.simplex.segment(x, [1, -1, 0], 0); // x − s·(1, −1, 0): x₀ ≥ 0 ⇒ s ≤ 0.2, x₁ ≥ 0 ⇒ s ≥ −0.3
    expect(along.lo).toBeCloseTo(-0.3, 12);
    expect(along.hi).toBeCloseTo(0.2, 12);
  });
});

describe("membership of per-unit bounds, scalar or per unit (the scan explain runs on every rule's input)", () => {
  const bounded: readonly [string, L.DomainT, (i: number) => [number, number]][] = [
    ["ℝᵈ", L.Domain.real, () => [-Infinity, Infinity]],
    ["ℝ₊ᵈ", L.Domain.nonNegative, () => [0, Infinity]],
    ["the box [−1, 2]", right(L.Domain.box(-1, 2)), () => [-1, 2]],
    ["a box of per-unit bounds", right(L.Domain.box(T.of([-1, 0.5, -3], [3]), T.of([0, 1, -2], [3]))), (i) => [[-1, 0.5, -3][i % 3]!, [0, 1, -2][i % 3]!]],
  ];
  const entry = fc.oneof(fc.double({ min: -4, max: 4 }), fc.constantFrom(0, -0, NaN, Infinity, -Infinity, 2, -1));
  test.each(bounded)("%s: the first unit from `from` on that is not a finite number within the widened bounds", (_name, domain, bounds) => {
    fc.assert(
      fc.property(fc.array(entry, { minLength: 0, maxLength: 9 }), fc.nat({ max: 9 }), fc.constantFrom(0, 1e-9, 0.5), (x, from, tol) => {
        let want = -1;
        for (let i = from; i < x.length && want < 0; i++) {
          const [l, h] = bounds(i);
          if (!(Number.isFinite(x[i]!) && x[i]! >= l - tol && x[i]! <= h + tol)) want = i;
        }
        const out = L.Domain.firstOutside(domain, Float64Array.from(x), tol, from);
        expect(out?.unit ?? -1).toBe(want);
        if (out !== undefined) expect(Object.is(out.value, x[want]!)).toBe(true);
      }),
    );
  });
});
