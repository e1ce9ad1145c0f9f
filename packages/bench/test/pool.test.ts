/**
 * The dtd-pool row: the worker pool computes dtd's heatmaps (each worker explains a share of the batch, so the
 * batched products may round the last bits differently from one call on the whole batch), and its timing loop
 * awaits each call.
 */
import { expectAllClose } from "@dtd/tensor/testing";
import { describe, expect, test } from "vitest";
import { dtdImpl } from "../src/dtd.ts";
import { measureAsync } from "../src/harness.ts";
import { buildNet, makeInput, type SyntheticNetName } from "../src/nets.ts";
import { poolImpl } from "../src/pool.ts";
import type { Rule } from "../src/nets.ts";

describe("dtd-pool", () => {
  test.each([
    ["A", "zb", "float64", 1e-12],
    ["C", "zb+zplus", "float32", 1e-5],
  ] as const)("net %s %s %s: the pool's heatmaps are dtd's", async (name: SyntheticNetName, rule: Rule, dtype, tol) => {
    const net = buildNet(name);
    const x = makeInput(net, 5, 3);
    const job = { net, rule, batch: 5, dtype, x };
    const pooled = await poolImpl.prepare(job);
    try {
      const want = await (await dtdImpl.prepare(job)).heatmaps!();
      const got = await pooled.heatmaps!();
      expect(got.length).toBe(want.length);
      expectAllClose(got, want, { rtol: tol, atol: tol * Math.max(...want.map(Math.abs)) });
      const t = "measure" in pooled ? await pooled.measure({ warmupRuns: 1, warmupSeconds: 0, minRuns: 2, minSeconds: 0 }) : undefined;
      expect(t?.n).toBe(2);
    } finally {
      pooled.dispose();
    }
  });

  test("measureAsync awaits each call: warm-up, then until minRuns and minSeconds", async () => {
    let now = 0;
    let calls = 0;
    const t = await measureAsync(
      async () => {
        await Promise.resolve();
        now += 10;
        calls++;
      },
      { warmupRuns: 2, warmupSeconds: 0, minRuns: 3, minSeconds: 0.1 },
      () => now,
    );
    expect([t.n, calls]).toEqual([10, 12]);
    expectAllClose(t.median, 0.01);
  });
});
