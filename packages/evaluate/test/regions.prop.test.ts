/**
 * Regions (Samek et al. 2017, Sec. III): k×k patches tile the image — every flat index in exactly one region,
 * every region inside one k×k block with all its channels — and a region's relevance is the sum of its values'.
 */
import * as E from "fp-ts/lib/Either.js";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { expectAllClose } from "@dtd/tensor/testing";
import { message, patches, type Regions, regionRelevance } from "@dtd/evaluate";

const ok = (r: E.Either<unknown, Regions>): Regions => {
  if (E.isLeft(r)) throw new Error(`expected regions, got ${JSON.stringify(r.left)}`);
  return r.right;
};
const members = (g: Regions, r: number): number[] => Array.from(g.indices.subarray(g.offsets[r]!, g.offsets[r + 1]!));

describe("patches tile the image", () => {
  test("[C, H, W]: every flat index in exactly one patch; each patch is one k×k block (narrower at the edges) with all C channels", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 5 }), (C, H, W, k) => {
        const g = ok(patches([C, H, W], k));
        const size = C * H * W;
        expect(g.count).toBe(Math.ceil(H / k) * Math.ceil(W / k));
        expect(g.offsets.length).toBe(g.count + 1);
        expect(g.offsets[g.count]).toBe(size);
        const seen = new Int32Array(size);
        for (const u of g.indices) seen[u]!++;
        expect(Array.from(seen).every((c) => c === 1)).toBe(true);
        for (let r = 0; r < g.count; r++) {
          const pr = Math.floor(r / Math.ceil(W / k));
          const pc = r % Math.ceil(W / k);
          const m = members(g, r);
          const rows = Math.min(H, (pr + 1) * k) - pr * k;
          const cols = Math.min(W, (pc + 1) * k) - pc * k;
          expect(m.length).toBe(C * rows * cols);
          for (const u of m) {
            const w = u % W;
            const h = Math.floor(u / W) % H;
            expect(Math.floor(h / k)).toBe(pr);
            expect(Math.floor(w / k)).toBe(pc);
          }
        }
      }),
    );
  });

  test("k = 1: one region per pixel, holding its C channels", () => {
    const g = ok(patches([3, 2, 4], 1));
    expect(g.count).toBe(8);
    expect(members(g, 5)).toEqual([5, 13, 21]); // pixel (1, 1): c·8 + 1·4 + 1
  });

  test("[H, W] is one channel; [d] is a row, whose patches are runs of k features", () => {
    expect(members(ok(patches([3, 3], 2)), 0)).toEqual([0, 1, 3, 4]);
    const v = ok(patches([7], 3));
    expect(v.count).toBe(3);
    expect([0, 1, 2].map((r) => members(v, r))).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
  });

  test("a bad patch size or shape is refused, saying what was expected and found", () => {
    const zero = patches([1, 4, 4], 0);
    expect(E.isLeft(zero) && message(zero.left)).toBe("region perturbation: option patch: expected a positive integer patch size k (1: single pixels), found 0");
    const rank4 = patches([1, 2, 2, 2], 1);
    expect(E.isLeft(rank4) && message(rank4.left)).toMatch(/expected a per-sample shape \[d\], \[H, W\] or \[C, H, W\], found \[1, 2, 2, 2\]/);
  });
});

describe("region relevance", () => {
  test("R_r = Σ_{p ∈ r} R_p, for every sample of a batch; the regions' total is the map's total", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 2 * 2 * 5 * 6, maxLength: 2 * 2 * 5 * 6 }), (k, R) => {
        const g = ok(patches([2, 5, 6], k));
        for (const n of [0, 1]) {
          const rr = regionRelevance(g, R, n);
          const direct = Array.from({ length: g.count }, (_, r) => members(g, r).reduce((s, u) => s + R[n * 60 + u]!, 0));
          expectAllClose(rr, direct, { atol: 1e-12, rtol: 1e-12 });
          expectAllClose(rr.reduce((s, v) => s + v, 0), R.slice(n * 60, (n + 1) * 60).reduce((s, v) => s + v, 0), { atol: 1e-9, rtol: 1e-9 });
        }
      }),
    );
  });
});
