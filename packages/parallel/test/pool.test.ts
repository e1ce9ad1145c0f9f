/**
 * The pool in Node (worker_threads) and in this thread (`workers: 0`): results in input order and bit for bit
 * those of `DT.explain` on the same batches (test/fixtures/reference.ts), whatever the number of workers; each
 * input's own error without losing the others; a worker that dies costs only its batch; cancellation; custom
 * worker modules (named strategies with functions, decoders, encoders); refusals at start.
 */
import * as E from "fp-ts/lib/Either.js";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import { unsafeMake } from "@dtd/tensor/unsafe";
import * as L from "@dtd/layers";
import * as DT from "@dtd/deep-taylor";
import * as P from "@dtd/parallel";
import { classifier, convNet, denseNet, inputs } from "./fixtures/nets.ts";
import { expectReference, reference, sameBits } from "./fixtures/reference.ts";
import { zPlusByFunction } from "./fixtures/customWorker.ts";
import { batchHooks } from "./fixtures/batchWorker.ts";

const zPlus = DT.uniform(DT.deriveRule(DT.zPlus));
const customWorker = new URL("./fixtures/customWorker.ts", import.meta.url);
const batchWorker = new URL("./fixtures/batchWorker.ts", import.meta.url);

const right = <A>(e: E.Either<P.ParallelError, A>): A => {
  if (E.isLeft(e)) throw new Error(P.message(e.left));
  return e.right;
};

const collect = async <A>(run: E.Either<P.ParallelError, AsyncIterable<A>>): Promise<A[]> => {
  const out: A[] = [];
  for await (const o of right(run)) out.push(o);
  return out;
};

describe("bit for bit the single-threaded explanation of the same batches", () => {
  test.each([
    ["dense", "float64", denseNet("float64")],
    ["dense", "float32", denseNet("float32")],
    ["conv", "float64", convNet("float64")],
    ["conv", "float32", convNet("float32")],
  ] as const)("%s %s: 2 workers, 1 worker and the calling thread give the reference's bits, in input order", async (_, __, model) => {
    const xs = inputs(model, 45);
    const expected = reference(model, xs, zPlus, 8);
    for (const workers of model.inputShape.length === 1 && L.modelDType(model) === "float64" ? [2, 1, 0] : [2, 0]) {
      const r = right(await P.explainMany(model, xs, P.uniform(P.zPlus), { workers, batchSize: 8 }));
      expectReference(r, expected);
    }
  });

  test("batchSize 1: each input as DT.explain explains it alone; a tensor in shared memory is read in place", async () => {
    const model = denseNet();
    const xs = inputs(model, 9);
    const shared = new Float64Array(new SharedArrayBuffer(9 * 24 * 8));
    xs.forEach((x, i) => shared.set(x, i * 24));
    const batch = unsafeMake([9, 24], shared);
    const r = right(await P.explainMany(model, batch, P.uniform(P.zPlus), { workers: 2, batchSize: 1 }));
    expectReference(r, reference(model, xs, zPlus, 1));
    expect(shared.length, "the shared inputs stay with the caller").toBe(9 * 24);
  });

  test("zᵇ with per-unit bounds, w², and a layer-wise composite travel as data", async () => {
    const model = convNet();
    const xs = inputs(model, 20);
    const low = T.zeros([1, 8, 8]);
    const high = T.add(T.zeros([1, 8, 8]), 1);
    const spec = P.layerwise({ first: P.zB(low, high), rest: P.w2, maxPool: "proportional" });
    const zb = DT.zB(low, high);
    if (E.isLeft(zb)) throw new Error(zb.left);
    const composite = DT.layerwise({ first: DT.deriveRule(zb.right), rest: DT.deriveRule(DT.w2), maxPool: "proportional" });
    expectReference(right(await P.explainMany(model, xs, spec, { workers: 2, batchSize: 6 })), reference(model, xs, composite, 6));
  });
});

describe("each input's own error, the others unharmed", () => {
  const model = denseNet();
  const xs: Float64Array[] = inputs(model, 30);
  xs[5] = Float64Array.from(xs[5]!, (v, i) => (i === 3 ? -0.5 : v)); // z⁺ needs x ≥ 0
  xs[9] = Float64Array.from(xs[9]!, (v, i) => (i === 0 ? NaN : v));
  xs[11] = new Float64Array(7);
  xs[29] = Float64Array.from(xs[29]!, (v, i) => (i === 1 ? Infinity : v));

  test.each([2, 0])("%s workers: a violated precondition is that input's error (naming it), unreadable inputs are InvalidInput", async (workers) => {
    const r = right(await P.explainMany(model, xs, P.uniform(P.zPlus), { workers, batchSize: 4 }));
    expectReference(r, reference(model, xs, zPlus, 4));
    const refused = r[5]!.result;
    expect(E.isLeft(refused) && refused.left._tag === "Refused" && refused.left.error._tag === "PreconditionViolated" ? refused.left.error.sample : undefined).toBe(5);
    expect(E.isLeft(refused) ? P.inputMessage(refused.left) : "").toMatch(/^input 5: precondition of rule zplus violated at layer 0 \(dense\), input unit 3 of sample 5: expected x ≥ 0, found -0.5$/);
    expect(E.isLeft(r[11]!.result) ? P.inputMessage(r[11]!.result.left) : "").toBe("input 11: expected 24 values (input shape [24]), found 7");
    expect(E.isLeft(r[9]!.result) ? P.inputMessage(r[9]!.result.left) : "").toBe("input 9: value 0 is NaN: expected finite numbers (float64)");
    expect(r.filter((o) => E.isRight(o.result))).toHaveLength(26);
  });

  test("lenient: the violation is a warning of that input only, and the heatmap is the batch's", async () => {
    const clean = xs.map((x, i) => (i === 9 || i === 11 || i === 29 ? inputs(model, 1, 100 + i)[0]! : x));
    const r = right(await P.explainMany(model, clean, P.uniform(P.zPlus), { workers: 2, batchSize: 4, lenient: true }));
    expectReference(r, reference(model, clean, zPlus, 4, { lenient: true }));
    const warned = r.flatMap((o) => (E.isRight(o.result) && o.result.right.warnings.length > 0 ? [o.index] : []));
    expect(warned).toEqual([5]);
    const w = E.isRight(r[5]!.result) ? r[5]!.result.right.warnings[0] : undefined;
    expect(w?._tag === "PreconditionViolated" ? w.sample : undefined).toBe(5);
  });

  test("float32: a value beyond float32's range is the input's error, not an overflow in the batch", async () => {
    const m32 = denseNet("float32");
    const big = inputs(m32, 6);
    big[2] = Float64Array.from(big[2]!, (v, i) => (i === 4 ? 1e39 : v));
    const r = right(await P.explainMany(m32, big, P.uniform(P.zPlus), { workers: 0, batchSize: 3 }));
    expect(E.isLeft(r[2]!.result) ? P.inputMessage(r[2]!.result.left) : "").toBe("input 2: value 4 is Infinity: expected finite numbers (float32)");
    expectReference(r, reference(m32, big, zPlus, 3));
  });
});

describe("targets, consistency", () => {
  test("argmax, one class for all, one class per input; f is the explained score", async () => {
    const model = classifier();
    const xs = inputs(model, 12);
    const perInput = xs.map((_, i) => i % 3);
    for (const [target, dt] of [
      ["argmax", { _tag: "argmax" }],
      [2, { _tag: "classes", classes: [2, 2, 2, 2, 2] }],
    ] as const) {
      const r = right(await P.explainMany(model, xs, P.uniform(P.zPlus), { workers: 0, batchSize: 5, target, lenient: true }));
      const want = xs.map((x) => DT.explain(model, unsafeMake([1, 10], x), zPlus, { lenient: true, target: dt._tag === "argmax" ? dt : { _tag: "classes", classes: [2] } }));
      r.forEach((o, i) => expect(E.isRight(o.result) && E.isRight(want[i]!) ? o.result.right.f - want[i]!.right.f.data[0]! : NaN).toBeCloseTo(0, 12));
    }
    const r = right(await P.explainMany(model, xs, P.uniform(P.zPlus), { workers: 2, batchSize: 5, target: perInput, lenient: true }));
    r.forEach((o, i) => {
      const out = L.forward(model, unsafeMake([1, 10], xs[i]!)).output.data;
      // The batch's forward pass (5 inputs) may round differently from this one of 1: f to 1e-12.
      expect(E.isRight(o.result) ? o.result.right.f : NaN).toBeCloseTo(out[i % 3]!, 12);
    });
  });

  test("each heatmap carries its consistency: conservative and positive under z⁺ (Montavon et al. 2017, Prop. 2)", async () => {
    const model = denseNet();
    const r = right(await P.explainMany(model, inputs(model, 20), P.uniform(P.zPlus), { workers: 2, batchSize: 7 }));
    for (const o of r) {
      if (E.isLeft(o.result)) throw new Error("expected a heatmap");
      const h = o.result.right;
      expect(h.consistency.consistent).toBe(true);
      expect(h.consistency.f).toBe(h.f);
      expect(Math.abs(Array.from(h.R).reduce((s, v) => s + v, 0) - h.f)).toBeLessThanOrEqual(h.consistency.tolerance);
    }
  });
});

describe("a pool for several runs", () => {
  const model = denseNet();
  let pool: P.Pool;
  beforeAll(async () => {
    pool = right(await P.startPool({ model, composite: P.uniform(P.zPlus), workers: 2 }));
  });
  afterAll(() => pool.close());

  test("runs one after the other and side by side, each in its own order; an async source is read as needed", async () => {
    const xs = inputs(model, 40);
    async function* slowly(): AsyncGenerator<P.Sample> {
      for (const x of xs) {
        await new Promise((r) => setTimeout(r, 0));
        yield x;
      }
    }
    const [a, b] = await Promise.all([collect(pool.explain(xs, { batchSize: 5 })), collect(pool.explain(slowly(), { batchSize: 3 }))]);
    expectReference(a, reference(model, xs, zPlus, 5));
    expectReference(b, reference(model, xs, zPlus, 3));
    expect(pool.workers).toBe(2);
    expect(pool.platform).toBe("node");
  });

  test("options out of range are refused before any work", () => {
    expect(E.isLeft(pool.explain(inputs(model, 2), { batchSize: 0 }))).toBe(true);
    expect(E.isLeft(pool.explain(inputs(model, 2), { target: -1 }))).toBe(true);
    const bad = pool.explain(T.zeros([3, 5]));
    expect(E.isLeft(bad) ? P.message(bad.left) : "").toBe('option inputs: expected a batch [N, 24], found [3,5]');
  });
});

describe("cancellation", () => {
  test("an AbortSignal stops the run: the outcomes so far, in order, then Aborted, and the pool is closed", async () => {
    const model = denseNet();
    const xs = inputs(model, 400);
    const pool = right(await P.startPool({ model, composite: P.uniform(P.zPlus), workers: 2 }));
    const ac = new AbortController();
    const seen: number[] = [];
    for await (const o of right(pool.explain(xs, { batchSize: 4, signal: ac.signal }))) {
      seen.push(o.index);
      if (seen.length === 10) ac.abort();
    }
    expect(seen.length).toBeGreaterThanOrEqual(10);
    expect(seen.length).toBeLessThan(400);
    expect(seen).toEqual(seen.map((_, i) => i));
    const again = pool.explain(xs);
    expect(E.isLeft(again) ? again.left._tag : "").toBe("Closed");
  });

  test("a signal that fired before the run: no outcome, Aborted, and no batch is sent", async () => {
    const model = denseNet();
    let sent = 0;
    async function* counted(): AsyncGenerator<P.Sample> {
      for (const x of inputs(model, 50)) {
        sent++;
        yield x;
      }
    }
    const r = await P.explainMany(model, counted(), P.uniform(P.zPlus), { workers: 1, batchSize: 5, signal: AbortSignal.abort() });
    expect(E.isLeft(r) ? r.left : undefined).toEqual({ _tag: "Aborted", completed: 0 });
    expect(sent).toBe(0);
  });

  test("explainMany: Left Aborted with the number delivered", async () => {
    const model = denseNet();
    const ac = new AbortController();
    let n = 0;
    const r = await P.explainMany(model, inputs(model, 300), P.uniform(P.zPlus), { workers: 0, batchSize: 2, signal: ac.signal, onResult: () => ++n === 3 && ac.abort() });
    expect(E.isLeft(r) ? r.left : undefined).toEqual({ _tag: "Aborted", completed: n });
    expect(n).toBeLessThan(300);
  });
});

describe("custom worker modules", () => {
  test("a strategy registered by name (with a function in it), a decoder and an encoder, all in the worker", async () => {
    const model = denseNet();
    const xs = inputs(model, 14);
    const samples = xs.map((x, i) => P.encoded(JSON.stringify(Array.from(x)), `line ${i}`));
    samples[4] = P.encoded("[1, 2", "line 4");
    const r = right(await P.explainMany<string>(model, samples, P.uniform(P.named("zplus-fn")), { workers: 2, batchSize: 5, worker: customWorker }));
    const composite = DT.uniform(DT.deriveRule(zPlusByFunction));
    const expected = reference(model, xs.map((x, i) => (i === 4 ? new Float64Array(0) : x)), composite, 5);
    expectReference(r, expected);
    expect(E.isLeft(r[4]!.result) ? P.inputMessage(r[4]!.result.left) : "").toBe("input 4: line 4: not JSON");
    expect(r[0]!.payload).toBe(`0: f = ${E.isRight(r[0]!.result) ? r[0]!.result.right.f : ""}`);
    expect(r[4]!.payload).toBe("4: InvalidInput");
    // The same rule as z⁺ derived from data: the same heatmaps.
    const plain = reference(model, xs, zPlus, 5);
    expect(sameBits((plain[0] as { R: ArrayLike<number> }).R, E.isRight(r[0]!.result) ? r[0]!.result.right.R : [])).toBe(true);
  });

  test("workerOptions reach the hooks, with each encoded sample's name; firstIndex numbers the outcomes and the errors", async () => {
    const model = denseNet();
    const xs = inputs(model, 5);
    const samples = xs.map((x, i) => P.encoded(JSON.stringify(Array.from(x)), `line ${i}`));
    samples[2] = P.encoded(JSON.stringify(Array.from(xs[2]!, (v, i) => (i === 0 ? -1 : v))), "line 2");
    const pool = right(await P.startPool({ model, composite: P.uniform(P.zPlus), workers: 1, worker: customWorker, workerOptions: { tag: "mine" } }));
    try {
      const r = await collect(pool.explain<string>(samples, { firstIndex: 100, batchSize: 2 }));
      expect(r.map((o) => o.index)).toEqual([100, 101, 102, 103, 104]);
      expect(r[0]!.payload).toMatch(/^100: f = [\d.]+ \{"tag":"mine"\} line 0$/);
      const e = r[2]!.result;
      expect(E.isLeft(e) ? P.inputMessage(e.left) : "").toMatch(/^input 102: precondition .* of sample 102: expected x ≥ 0, found -1$/);
    } finally {
      await pool.close();
    }
  });

  test.each([
    ["2 workers", { workers: 2, worker: batchWorker }],
    ["this thread", { workers: 0, hooks: batchHooks }],
  ] as const)("a batch encoder (%s): one payload per input, views of one buffer per batch, in input order", async (_, where) => {
    const model = denseNet();
    const xs = inputs(model, 11);
    xs[6] = Float64Array.from(xs[6]!, (v, i) => (i === 0 ? -1 : v));
    const r = right(await P.explainMany<Uint8Array>(model, xs, P.uniform(P.zPlus), { batchSize: 4, ...where }));
    const text = (o: P.Outcome<Uint8Array>): string => new TextDecoder().decode(o.payload);
    expect(r.map(text)).toEqual(r.map((o) => `${o.index}: ${E.isRight(o.result) ? o.result.right.f : o.result.left._tag}`));
    expect(text(r[6]!)).toBe("6: Refused");
    // The inputs of a batch share one buffer; batches do not.
    expect(r[0]!.payload!.buffer).toBe(r[3]!.payload!.buffer);
    expect(r[4]!.payload!.buffer).not.toBe(r[3]!.payload!.buffer);
  });

  test("in this thread the hooks are given directly", async () => {
    const model = denseNet();
    const xs = inputs(model, 6);
    const r = right(await P.explainMany(model, xs, P.uniform(P.named("mine")), { workers: 0, hooks: { strategies: { mine: zPlusByFunction } } }));
    expectReference(r, reference(model, xs, DT.uniform(DT.deriveRule(zPlusByFunction)), 64));
  });

  test.each([
    ["a batch that throws in the worker", "throw", /asked to throw/],
    ["a worker that dies mid-batch (a new worker takes over, the batches it had not started are sent again)", "exit", /exited with code 3/],
  ])("%s costs only that batch: its inputs are WorkerFailed", async (_, poison, reason) => {
    const model = denseNet();
    const xs = inputs(model, 24);
    const samples: P.Sample[] = xs.map((x) => P.encoded(JSON.stringify(Array.from(x))));
    samples[13] = P.encoded(poison);
    const r = right(await P.explainMany(model, samples, P.uniform(P.zPlus), { workers: 2, batchSize: 4, worker: customWorker }));
    expect(r.map((o) => o.index)).toEqual(xs.map((_, i) => i));
    const failed = r.flatMap((o) => (E.isLeft(o.result) ? [[o.index, o.result.left._tag]] : []));
    expect(failed).toEqual([12, 13, 14, 15].map((i) => [i, "WorkerFailed"]));
    expect(E.isLeft(r[13]!.result) ? P.inputMessage(r[13]!.result.left) : "").toMatch(reason);
    const ok = reference(model, xs, zPlus, 4);
    const others = (i: number): boolean => i < 12 || i > 15;
    r.filter((o) => others(o.index)).forEach((o) => expectReference([{ ...o, index: 0 }], [ok[o.index]!]));
  });
});

describe("workers started ahead of their pool", () => {
  test("the pool takes them (and starts more when it asks for more); release stops those no pool took", async () => {
    const model = denseNet();
    const xs = inputs(model, 20);
    const warm = P.prestart({ count: 1 });
    const pool = right(await P.startPoolOn(warm, { model, composite: P.uniform(P.zPlus), workers: 2 }));
    try {
      expect(pool.workers).toBe(2);
      expectReference(await collect(pool.explain(xs, { batchSize: 3 })), reference(model, xs, zPlus, 3));
    } finally {
      await pool.close();
    }
    const unused = P.prestart({ count: 1 });
    await unused.release();
    await unused.release();
    const after = right(await P.startPoolOn(unused, { model, composite: P.uniform(P.zPlus), workers: 1 }));
    expectReference(await collect(after.explain(xs, { batchSize: 3 })), reference(model, xs, zPlus, 3));
    await after.close();
  });

  test("a worker that dies before its pool takes it is the pool's refusal, not a wait forever", async () => {
    const missing = new URL("./fixtures/no-such-worker.ts", import.meta.url);
    const warm = P.prestart({ count: 1, worker: missing });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const r = await P.startPoolOn(warm, { model: denseNet(), composite: P.uniform(P.zPlus), workers: 1, worker: missing });
    expect(E.isLeft(r) ? r.left._tag : "started").toBe("WorkerFailed");
  });
});

describe("refusals at start", () => {
  test("a composite that does not fit, an unknown strategy, a bad box, a bad worker count: Left, no pool", async () => {
    const model = denseNet();
    const start = async (composite: P.CompositeSpec, workers: number | "auto" = 1): Promise<string> => {
      const r = await P.startPool({ model, composite, workers });
      if (E.isRight(r)) {
        await r.right.close();
        return "started";
      }
      return P.message(r.left);
    };
    expect(await start(P.compositeSpec([{ match: DT.byName("nope"), use: P.rule(P.zPlus) }]))).toMatch(/^the composite does not fit the model: an entry names node "nope"/);
    expect(await start(P.uniform(P.named("mine")))).toBe("strategy mine: no strategy of that name is registered in the worker (none is; see serve({ strategies }))");
    expect(await start(P.uniform(P.zB(1, 2)), 0)).toMatch(/^strategy zb: /);
    expect(await start(P.uniform(P.zPlus), -1)).toBe('option workers: expected an integer ≥ 0 or "auto", found -1');
    expect(await start(P.uniform(P.zPlus), "auto")).toBe("started");
  });
});

describe("model data", () => {
  test("weights shared once: every parameter in a SharedArrayBuffer, the rebuilt model computes the same", () => {
    const model = convNet();
    const data = P.toModelData(model, { share: true });
    const params = data.nodes.flatMap((n) => Object.values(L.paramsOf(n.layer)));
    expect(params.length).toBe(4);
    expect(params.every((t) => t.data.buffer instanceof SharedArrayBuffer)).toBe(true);
    const again = P.fromModelData(structuredClone(data));
    if (E.isLeft(again)) throw new Error(L.message(again.left));
    const x = unsafeMake([2, 1, 8, 8], Float64Array.from({ length: 128 }, (_, i) => (i % 7) / 7));
    expect(sameBits(L.forward(again.right, x).output.data, L.forward(model, x).output.data)).toBe(true);
  });
});
