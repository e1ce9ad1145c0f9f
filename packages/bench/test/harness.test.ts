import * as T from "@dtd/tensor";
import { expectAllClose } from "@dtd/tensor/testing";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, test } from "vitest";
import { cliErrorMessage, defaults, implNames, parseArgs } from "../src/cli.ts";
import { allImpls } from "../src/impls.ts";
import { measure } from "../src/harness.ts";
import { runHeatmaps } from "../src/heatmaps.ts";
import type { Impl } from "../src/Impl.ts";
import { architecture, batchesFor, buildNet, type LayerArch, makeInput, type NetSpec, shapeChain } from "../src/nets.ts";
import { antispoofNet } from "../src/realNet.ts";
import { explainedOutput, gradientTimesInput } from "../src/reference.ts";
import { type ImplInfo, medianRatios, medianRows, ratios, type ResultRow } from "../src/report.ts";
import { median, quantile, summarize } from "../src/stats.ts";

describe("stats", () => {
  test("median of odd and even samples, unsorted", () => {
    expect(median([3, 1, 2])).toBe(2);
    expectAllClose(median([4, 1, 3, 2]), 2.5);
  });

  test("quartiles interpolate linearly (type 7, NumPy's default)", () => {
    const s = summarize([4, 2, 1, 3]);
    expectAllClose([s.min, s.q1, s.median, s.q3, s.max, s.iqr], [1, 1.75, 2.5, 3.25, 4, 1.5]);
    expectAllClose(quantile([10, 20, 30, 40, 50], 0.1), 14);
    expect(summarize([7]).iqr).toBe(0);
  });

  test("refuses empty samples, non-finite values and p outside [0, 1]", () => {
    expect(() => median([])).toThrow("expected a non-empty sample, found 0 values");
    expect(() => summarize([1, Number.NaN])).toThrow("expected finite values, found NaN at index 1");
    expect(() => quantile([1, 2], 1.5)).toThrow("expected p in [0, 1], found 1.5");
  });
});

describe("harness", () => {
  /** A fake clock: every call of the closure advances it by `stepMs`. */
  const fake = (stepMs: number) => {
    let now = 0;
    let calls = 0;
    return { clock: () => now, fn: () => ((now += stepMs), calls++), calls: () => calls };
  };

  test("warms up, then times until both minRuns and minSeconds are reached", () => {
    const f = fake(10);
    const t = measure(f.fn, { warmupRuns: 2, warmupSeconds: 0, minRuns: 3, minSeconds: 0.1 }, f.clock);
    // 0.1 s at 10 ms per call needs 10 timed calls (> minRuns 3).
    expect(t.n).toBe(10);
    expect(f.calls()).toBe(12);
    expectAllClose(t.median, 0.01);
    expectAllClose(t.iqr, 0);
  });

  test("minRuns dominates when calls are slow", () => {
    const f = fake(500);
    const t = measure(f.fn, { warmupRuns: 1, warmupSeconds: 0, minRuns: 4, minSeconds: 0.1 }, f.clock);
    expect(t.n).toBe(4);
    expect(f.calls()).toBe(5);
    expectAllClose(t.min, 0.5);
  });

  test("refuses invalid options", () => {
    expect(() => measure(() => {}, { warmupRuns: 0, warmupSeconds: 0, minRuns: 0, minSeconds: 0 })).toThrow("minRuns ≥ 1");
  });

  test("the cpu clock times a busy call by the process's CPU time, and a sleeping one as (nearly) free", () => {
    let sink = 0;
    const busy = (): void => {
      for (let i = 0; i < 3e6; i++) sink += Math.sqrt(i);
    };
    const asleep = (): void => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    const opts = { warmupRuns: 0, warmupSeconds: 0, minRuns: 3, minSeconds: 0, clock: "cpu" } as const;
    const work = measure(busy, opts).median;
    const idle = measure(asleep, opts).median;
    expect(sink).toBeGreaterThan(0);
    expect(work).toBeGreaterThan(5e-4);
    expect(idle).toBeLessThan(work / 2);
    expect(measure(asleep, { ...opts, clock: "wall" }).median).toBeGreaterThan(0.015);
  });
});

describe("cli", () => {
  const ok = (argv: string[]) => {
    const r = parseArgs(argv);
    if (E.isLeft(r)) throw new Error(cliErrorMessage(r.left));
    return r.right;
  };
  const error = (argv: string[]): string => {
    const r = parseArgs(argv);
    if (E.isRight(r)) throw new Error(`expected ${argv.join(" ")} to be refused`);
    return cliErrorMessage(r.left);
  };

  test("defaults: all nets, batch 1 and 128, both dtypes, both sections", () => {
    expect(ok([])).toEqual(defaults);
    expect(ok(["--"]).sections).toBe("all");
  });

  test("selects subsets, in both --flag value and --flag=value forms", () => {
    const o = ok(["--net", "a,B", "--batch=1", "--dtype", "float64", "--json", "out.json", "--quick"]);
    expect(o.nets).toEqual(["A", "B"]);
    expect(o.batches).toEqual([1]);
    expect(o.dtypes).toEqual(["float64"]);
    expect(o.json).toBe("out.json");
    expect(o.quick).toBe(true);
    expect(o.impls).toEqual(["dtd", "dtd-pool", "tfjs-cpu", "tfjs-wasm", "torch-dt-1t", "torch-dt-2t", "torch-gxi-1t", "torch-gxi-2t"]);
    expect(o.rounds).toBe(1);
    expect(ok(["--impl", "DTD,tfjs-wasm,torch-dt-1t"]).impls).toEqual(["dtd", "tfjs-wasm", "torch-dt-1t"]);
    expect(ok(["--rounds=3"]).rounds).toBe(3);
    expect(ok(["--net", "c,AntiSpoof"]).nets).toEqual(["C", "antispoof"]);
    expect([ok([]).clock, ok(["--clock", "cpu"]).clock]).toEqual(["wall", "cpu"]);
    expect(ok(["--kernels"]).sections).toBe("kernels");
    expect(ok(["--no-kernels"]).sections).toBe("heatmaps");
  });

  test("--impl names exactly the registered implementations", () => {
    expect(allImpls().map((i) => i.name)).toEqual([...implNames]);
  });

  test("an invalid --net is a clear error", () => {
    expect(error(["--net", "X"])).toBe('--net: expected a comma-separated subset of A, B, C, antispoof, found "X"');
    expect(error(["--net=A,D"])).toBe('--net: expected a comma-separated subset of A, B, C, antispoof, found "D"');
  });

  test("other invalid arguments name the flag, the expectation and what was found", () => {
    expect(error(["--batch", "0"])).toBe('--batch: expected comma-separated positive integers (e.g. 1,128), found "0"');
    expect(error(["--impl", "torch"])).toBe(
      '--impl: expected a comma-separated subset of dtd, dtd-pool, tfjs-cpu, tfjs-wasm, torch-dt-1t, torch-dt-2t, torch-gxi-1t, torch-gxi-2t, found "torch"',
    );
    expect(error(["--rounds", "0"])).toBe('--rounds: expected a positive integer, found "0"');
    expect(error(["--clock", "tsc"])).toBe('--clock: expected wall or cpu, found "tsc"');
    expect(error(["--dtype", "float16"])).toBe('--dtype: expected a comma-separated subset of float32, float64, found "float16"');
    expect(error(["--net"])).toBe("--net: expected a value, found end of arguments");
    expect(error(["--net", "--quick"])).toBe('--net: expected a value, found "--quick"');
    expect(error(["--fast"])).toContain('found "--fast"');
    expect(error(["--quick=yes"])).toBe('--quick: expected no value, found "yes"');
    expect(error(["--kernels", "--no-kernels"])).toBe("--kernels: expected not together with --no-kernels, found both");
  });
});

describe("nets", () => {
  test("A chains 1568 → 400 → 1", () => {
    const a = architecture("A");
    expect(shapeChain(a.inputShape, a.layers)).toEqual([[1568], [400], [400], [1]]);
  });

  test("B chains 784 → 512 → 512 → 512 → 10", () => {
    const b = architecture("B");
    const dims = shapeChain(b.inputShape, b.layers).map((s) => s[0]);
    expect(dims).toEqual([784, 512, 512, 512, 512, 512, 512, 10]);
  });

  test("C's convolutions and pools give 64×5×5 = 1600 before the first Dense", () => {
    const c = architecture("C");
    expect(shapeChain(c.inputShape, c.layers)).toEqual([
      [1, 28, 28], [32, 26, 26], [32, 26, 26], [32, 13, 13], [64, 11, 11], [64, 11, 11], [64, 5, 5],
      [1600], [128], [128], [10],
    ]);
  });

  test("a broken chain is refused with what was expected and found", () => {
    const layers: LayerArch[] = [{ kind: "dense", inputs: 784, outputs: 10 }];
    expect(() => shapeChain([785], layers)).toThrow("dense 784→10: expected input shape [784], found [785]");
  });

  test("parameters: He-initialised W of the layer's shape, biases in [−0.05, 0], deterministic in the seed", () => {
    const c = buildNet("C", 1);
    for (const layer of c.layers) {
      if (layer.kind === "conv2d") {
        expect(layer.W.shape).toEqual([layer.outChannels, layer.inChannels, layer.kernel, layer.kernel]);
      } else if (layer.kind === "dense") {
        expect(layer.W.shape).toEqual([layer.inputs, layer.outputs]);
        // Sample std of 1600·128 He weights is within 2% of √(2 / fan_in).
        let ss = 0;
        for (const w of layer.W.data) ss += w * w;
        expectAllClose(Math.sqrt(ss / layer.W.data.length), Math.sqrt(2 / layer.inputs), { rtol: 0.02 });
      } else continue;
      expect(layer.b.data.every((b) => b >= -0.05 && b <= 0)).toBe(true);
    }
    const again = buildNet("C", 1);
    const w0 = c.layers[0]!, w1 = again.layers[0]!;
    if (w0.kind !== "conv2d" || w1.kind !== "conv2d") throw new Error("expected a conv2d first layer");
    expectAllClose(w1.W, w0.W, { atol: 0, rtol: 0 });
    const x = makeInput(c, 3);
    expect(x.shape).toEqual([3, 1, 28, 28]);
    expect(x.data.every((v) => v >= 0 && v <= 1)).toBe(true);
  });

  test("antispoof: the imported net chains 3×128×128 → 16×14×14 = 3136 → 128 → 1; photo crops in (0, 1); batches capped at 16", () => {
    const net = antispoofNet();
    expect(shapeChain(net.inputShape, net.layers).map((s) => s.join("×"))).toEqual([
      "3×128×128", "64×126×126", "64×63×63", "64×63×63", "32×61×61", "32×30×30", "32×30×30", "16×28×28", "16×14×14", "16×14×14",
      "3136", "128", "128", "1",
    ]);
    // Real weights: positive biases in the first convolution (the deck's z⁺ preconditions do not hold).
    const first = net.layers[0]!;
    expect(first.kind === "conv2d" && first.b.data.some((b) => b > 0)).toBe(true);
    const x = makeInput(net, 2);
    expect(x.shape).toEqual([2, 3, 128, 128]);
    expect(x.data.every((v) => v > 0 && v < 1)).toBe(true);
    // Two different crops, and the same crops on every call.
    expect(x.data.subarray(0, 3 * 128 * 128)).not.toEqual(x.data.subarray(3 * 128 * 128));
    expectAllClose(makeInput(net, 1), T.reshape(T.of(x.data.slice(0, 3 * 128 * 128), [3 * 128 * 128]), [1, 3, 128, 128]), { atol: 0, rtol: 0 });
    expect(batchesFor(net, [1, 128])).toEqual([1, 16]);
    expect(batchesFor(buildNet("A"), [1, 128])).toEqual([1, 128]);
  });
});

describe("reference gradient × input", () => {
  // A tiny conv net with every layer kind; its gradient is checked against central differences.
  const tiny = (): NetSpec => {
    const rng = T.Random.make(3);
    const W = (shape: number[]) => T.Random.normalTensor(rng, shape, 0, 0.5, "float64");
    return {
      name: "C",
      description: "tiny",
      inputShape: [1, 6, 6],
      layers: [
        { kind: "conv2d", inChannels: 1, outChannels: 2, kernel: 3, W: W([2, 1, 3, 3]), b: W([2]) },
        { kind: "relu" },
        { kind: "maxPool2d", size: 2 },
        { kind: "flatten" },
        { kind: "dense", inputs: 8, outputs: 3, W: W([8, 3]), b: W([3]) },
      ],
      output: "topLogit",
      rules: ["zb+zplus"],
      box: { lo: 0, hi: 1 },
    };
  };

  test("matches x · (central difference of f) on a tiny conv net", () => {
    const net = tiny();
    const x = makeInput(net, 2, 11);
    const R = gradientTimesInput(net, x);
    const f = (data: Float64Array): number => explainedOutput(net, { ...x, data });
    const h = 1e-6;
    const numeric = new Float64Array(x.data.length);
    for (let i = 0; i < x.data.length; i++) {
      const up = Float64Array.from(x.data), dn = Float64Array.from(x.data);
      up[i]! += h;
      dn[i]! -= h;
      numeric[i] = ((f(up) - f(dn)) / (2 * h)) * x.data[i]!;
    }
    expectAllClose(R, numeric, { atol: 1e-7, rtol: 1e-6 });
  });
});

describe("ratios and the impl plumbing", () => {
  const row = (impl: string, dtype: "float32" | "float64", hps: number, round = 1): ResultRow => ({
    impl, net: "B", rule: "zb+zplus", batch: 128, dtype, threads: 1, round, median_s: 128 / hps, heatmaps_per_s: hps, min_s: 0, iqr_s: 0, runs: 1,
  });
  const info: ImplInfo = (name) => ({ kind: name === "dtd" ? "dtd" : "peer", group: name.startsWith("tfjs") ? "tfjs" : name });

  test("a dtd row is divided by the faster peer of a group; float64 dtd falls back to the float32 peer", () => {
    const q = ratios([row("tfjs-cpu", "float32", 100), row("tfjs-wasm", "float32", 400), row("dtd", "float32", 800), row("dtd", "float64", 200)], info);
    expect(q.map((r) => [r.dtype, r.versus, r.peer, r.peer_dtype])).toEqual([["float32", "tfjs", "tfjs-wasm", "float32"], ["float64", "tfjs", "tfjs-wasm", "float32"]]);
    expectAllClose(q.map((r) => r.ratio), [2, 0.5]);
    expect(ratios([row("tfjs-cpu", "float32", 100)], info)).toEqual([]);
  });

  test("one ratio per peer group, in the same dtype where the peer has it, within a round; medians over rounds", () => {
    const rows = [
      row("dtd", "float64", 300, 1), row("torch-dt-1t", "float32", 100, 1), row("torch-dt-1t", "float64", 200, 1), row("tfjs-wasm", "float32", 600, 1),
      row("dtd", "float64", 100, 2), row("torch-dt-1t", "float64", 100, 2), row("tfjs-wasm", "float32", 100, 2),
      row("dtd", "float64", 200, 3), row("torch-dt-1t", "float64", 50, 3), row("tfjs-wasm", "float32", 400, 3),
    ];
    const q = ratios(rows, info);
    expect(q.map((r) => [r.round, r.versus, r.peer_dtype])).toEqual([
      [1, "torch-dt-1t", "float64"], [1, "tfjs", "float32"], [2, "torch-dt-1t", "float64"], [2, "tfjs", "float32"], [3, "torch-dt-1t", "float64"], [3, "tfjs", "float32"],
    ]);
    expectAllClose(q.map((r) => r.ratio), [1.5, 0.5, 1, 1, 4, 0.5]);
    const m = medianRatios(q);
    expect(m.map((r) => [r.versus, r.round])).toEqual([["torch-dt-1t", 0], ["tfjs", 0]]);
    expectAllClose(m.map((r) => r.ratio), [1.5, 0.5]);
    const dtd = medianRows(rows).find((r) => r.impl === "dtd")!;
    expect([dtd.round, dtd.runs]).toEqual([0, 3]);
    expectAllClose([dtd.median_s, dtd.heatmaps_per_s], [128 / 200, 200]);
  });

  test("a registered dtd impl gets one row per (rule, batch, dtype, round); a peer runs its own dtype; implementations take turns; a skipped one is named", async () => {
    const jobs: string[] = [];
    const fakeImpl = (name: string, kindOf: "dtd" | "peer", dtypes: readonly ("float32" | "float64")[]): Impl => ({
      name, kind: kindOf, method: kindOf === "dtd" ? "deepTaylor" : "gradientTimesInput", threads: 1, dtypes, setup: async () => undefined, describe: async () => ({}),
      prepare: (job) => {
        jobs.push(`${name} ${job.net.name} ${job.rule} ${job.batch} ${job.dtype} [${job.x.shape.join(",")}]`);
        return { run: () => {}, dispose: () => {}, ...(kindOf === "peer" ? { heatmaps: () => gradientTimesInput(job.net, job.x) } : {}) };
      },
    });
    const absent: Impl = { ...fakeImpl("absent", "peer", ["float32"]), setup: async () => "no such library" };
    const out = await runHeatmaps(
      [fakeImpl("dtd", "dtd", ["float32", "float64"]), fakeImpl("peer", "peer", ["float32"]), absent],
      { nets: ["A"], batches: [1], dtypes: ["float64"], timing: { warmupRuns: 0, warmupSeconds: 0, minRuns: 1, minSeconds: 0 }, rounds: 2 },
      () => {},
      () => {},
    );
    const sequence = ["dtd zplus float64", "peer zplus float32", "dtd zb float64", "peer zb float32"];
    expect(out.results.map((r) => `${r.impl} ${r.rule} ${r.dtype}`)).toEqual([...sequence, ...sequence]);
    expect(out.results.map((r) => r.round)).toEqual([1, 1, 1, 1, 2, 2, 2, 2]);
    expect(jobs).toContain("dtd A zb 1 float64 [1,1568]");
    expect(out.checks.map((c) => [c.impl, c.ok])).toEqual([["peer", true]]);
    expect(out.skipped).toEqual({ absent: "no such library" });
  });
});
