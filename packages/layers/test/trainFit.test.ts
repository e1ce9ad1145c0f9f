import * as E from "fp-ts/lib/Either.js";
import { describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import { expectAllClose } from "@dtd/tensor/testing";
import * as L from "@dtd/layers";
import {
  adam,
  atLayers,
  evaluate,
  fit,
  type FitOptions,
  type FitResult,
  frozen,
  initModel,
  meanSquaredError,
  nonPositiveBias,
  type Progress,
  type SgdState,
  sgd,
  softmaxCrossEntropy,
  trainErrorMessage,
  type TrainError,
  type TrainingData,
  zeroDense,
} from "@dtd/layers";

const right = <A>(e: E.Either<L.LayerError, A>): A => {
  if (E.isLeft(e)) throw new Error(L.message(e.left));
  return e.right;
};
const trained = <S>(r: E.Either<TrainError, FitResult<S>>): FitResult<S> => {
  if (E.isLeft(r)) throw new Error(trainErrorMessage(r.left));
  return r.right;
};
const failure = <S>(r: E.Either<TrainError, FitResult<S>>): string => (E.isLeft(r) ? trainErrorMessage(r.left) : "trained");

/** y = x·W* + b* for x ~ 𝒩(0, 1)³. */
const linearData = (n: number, seed: number) => {
  const rng = T.Random.make(seed);
  const x = T.Random.normalTensor(rng, [n, 3]);
  const y = T.add(T.matmul(x, T.of([1, -2, 0.5], [3, 1])), 0.3);
  return { x, y };
};
const linearModel = () => right(L.build([3], [zeroDense(3, 1)]));
const sgdOpts = (extra: Partial<FitOptions<SgdState>> = {}): FitOptions<SgdState> => ({
  loss: meanSquaredError,
  optimizer: sgd({ learningRate: 0.1, momentum: 0.5 }),
  batchSize: 16,
  ...extra,
});

describe("fit", () => {
  test("recovers a linear map from mini-batches (loss → 0, W → W*, b → b*)", () => {
    const data = linearData(64, 1);
    const r = trained(fit(linearModel(), data, sgdOpts({ epochs: 40, seed: 3 })));
    expect(r.steps).toBe(40 * 4);
    expect(r.stopped).toBe("completed");
    expect(r.lossHistory[0]!).toBeGreaterThan(1);
    expect(evaluate(r.model, data, meanSquaredError)).toBeLessThan(1e-10);
    const [layer] = r.model.layers;
    if (layer?.kind !== "dense") throw new Error("expected a dense layer");
    expectAllClose(layer.W, [1, -2, 0.5], { atol: 1e-5 });
    expectAllClose(layer.b, [0.3], { atol: 1e-5 });
  });
  test("is deterministic: the same seed gives the same model bit for bit; another seed does not", () => {
    const data = linearData(40, 2);
    const run = (seed: number) => Array.from(L.paramTree(trained(fit(linearModel(), data, sgdOpts({ steps: 7, seed }))).model)[0]!["W"]!.data);
    expect(run(4)).toEqual(run(4));
    expect(run(4)).not.toEqual(run(5));
  });
  test("reports progress every k steps and at the end: step, totalSteps, epoch, windowed loss, throughput", () => {
    let clock = 0;
    const reports: Progress[] = [];
    const r = trained(
      fit(linearModel(), linearData(20, 3), sgdOpts({ batchSize: 8, epochs: 3, progressEvery: 4, now: () => (clock += 10), onProgress: (p) => reports.push(p) })),
    );
    // 20 examples in batches of 8, 8, 4: 3 steps per epoch, 9 in all.
    expect(reports.map((p) => [p.step, p.totalSteps, p.epoch])).toEqual([[4, 9, 1], [8, 9, 2], [9, 9, 2]]);
    expectAllClose(reports[0]!.loss, r.lossHistory.slice(0, 4).reduce((a, b) => a + b) / 4);
    expectAllClose(reports[2]!.loss, r.lossHistory[8]!);
    // Each report reads the clock once (10 ms later): steps 1–4 saw 8 + 8 + 4 + 8 = 28 examples in 10 ms.
    expectAllClose(reports[0]!.examplesPerSecond, 2800);
    expectAllClose(reports[2]!.examplesPerSecond, 400);
  });
  test("stops when shouldStop returns true or the signal is aborted, and returns what it has", () => {
    let polls = 0;
    const stopped = trained(fit(linearModel(), linearData(32, 4), sgdOpts({ steps: 100, shouldStop: () => ++polls > 5 })));
    expect([stopped.steps, stopped.stopped, stopped.lossHistory.length]).toEqual([5, "shouldStop", 5]);
    const signal = { aborted: false };
    const aborted = trained(
      fit(linearModel(), linearData(32, 4), sgdOpts({ steps: 100, signal, progressEvery: 3, onProgress: () => void (signal.aborted = true) })),
    );
    expect([aborted.steps, aborted.stopped]).toEqual([3, "aborted"]);
    // A platform AbortSignal fits the same slot (the package's types declare no DOM, hence the typed view).
    type Controller = { readonly signal: { readonly aborted: boolean }; abort: () => void };
    const controller = new (globalThis as unknown as { AbortController: new () => Controller }).AbortController();
    const cancelled = trained(
      fit(linearModel(), linearData(32, 4), sgdOpts({ steps: 100, signal: controller.signal, progressEvery: 2, onProgress: () => controller.abort() })),
    );
    expect([cancelled.steps, cancelled.stopped]).toEqual([2, "aborted"]);
    expect(L.paramTree(aborted.model)[0]!["W"]!.data).not.toEqual(T.zeros([3, 1]).data);
  });
  test("trains on a sampler that draws fresh batches every step", () => {
    const rng = T.Random.make(11);
    const asked: number[] = [];
    const sampler: TrainingData = (step) => {
      asked.push(step);
      const x = T.Random.normalTensor(rng, [10, 3]);
      return { x, y: T.add(T.matmul(x, T.of([1, -2, 0.5], [3, 1])), 0.3) };
    };
    const r = trained(fit(linearModel(), sampler, { loss: meanSquaredError, optimizer: sgd({ learningRate: 0.1 }), steps: 150 }));
    expect(asked).toEqual(Array.from({ length: 150 }, (_, i) => i));
    expect(evaluate(r.model, linearData(50, 12), meanSquaredError)).toBeLessThan(1e-6);
  });
  test("constraints: every bias stays ≤ 0 under nonPositiveBias, a frozen layer keeps its parameters bit for bit", () => {
    // Targets that pull the biases up: without the projection they would become positive.
    const x = T.Random.uniformTensor(T.Random.make(5), [40, 4]);
    const y = T.full([40, 1], 3);
    const model = right(initModel([4], [zeroDense(4, 6), L.relu, zeroDense(6, 1)], { seed: 2 }));
    const free = trained(fit(model, { x, y }, { ...sgdOpts(), optimizer: sgd({ learningRate: 0.02 }), steps: 40 }));
    expect(Math.max(...L.paramTree(free.model).flatMap((p) => Array.from(p["b"]?.data ?? [])))).toBeGreaterThan(0);
    const r = trained(fit(model, { x, y }, { ...sgdOpts(), optimizer: sgd({ learningRate: 0.02 }), steps: 40, constraints: [nonPositiveBias(), frozen(atLayers(2))] }));
    const p = L.paramTree(r.model);
    expect(Math.max(...Array.from(p[0]!["b"]!.data))).toBe(0);
    expect(p[2]!["W"]!.data).toEqual(L.paramTree(model)[2]!["W"]!.data);
    expect(p[2]!["b"]!.data).toEqual(L.paramTree(model)[2]!["b"]!.data);
    expect(p[0]!["W"]!.data).not.toEqual(L.paramTree(model)[0]!["W"]!.data);
    expect(r.lossHistory[39]!).toBeLessThan(r.lossHistory[0]!);
  });
  test("classifies three clusters with Adam and softmax cross-entropy", () => {
    const rng = T.Random.make(8);
    const centres = [[2, 0], [-2, 1], [0, -2]];
    const n = 60;
    const labels = Array.from({ length: n }, (_, i) => i % 3);
    const x = T.of(labels.flatMap((c) => centres[c]!.map((m) => m + 0.5 * T.Random.normal(rng))), [n, 2]);
    const y = T.of(labels, [n]);
    const model = right(initModel([2], [zeroDense(2, 8), L.relu, zeroDense(8, 3)], { seed: 1 }));
    const r = trained(fit(model, { x, y }, { loss: softmaxCrossEntropy, optimizer: adam({ learningRate: 0.05 }), batchSize: 20, epochs: 30 }));
    expect(evaluate(r.model, { x, y }, softmaxCrossEntropy)).toBeLessThan(0.2 * evaluate(model, { x, y }, softmaxCrossEntropy));
    const predicted = T.argmax(L.forward(r.model, x).output, 1);
    expect(Array.from(predicted.data).filter((c, i) => c === labels[i]).length).toBeGreaterThanOrEqual(57);
  });
  test("refuses bad options and data before training, with messages", () => {
    const m = linearModel();
    const data = linearData(8, 0);
    expect(failure(fit(m, data, sgdOpts()))).toBe("fit: invalid options: expected exactly one of steps and epochs, found neither");
    expect(failure(fit(m, data, sgdOpts({ steps: 2, epochs: 1 })))).toBe("fit: invalid options: expected exactly one of steps and epochs, found both");
    expect(failure(fit(m, () => data, sgdOpts({ epochs: 1 })))).toBe("fit: invalid options: expected steps (not epochs) when training on a sampler");
    expect(failure(fit(m, data, { loss: meanSquaredError, optimizer: sgd({ learningRate: 1 }), steps: 1 }))).toBe(
      "fit: invalid options: expected batchSize to be a positive integer, found undefined",
    );
    expect(failure(fit(m, { x: T.zeros([8, 4]), y: data.y }, sgdOpts({ steps: 1 })))).toBe(
      "fit: invalid data: input shape mismatch: expected a batch of samples of shape [3], found [4]",
    );
    expect(failure(fit(m, data, sgdOpts({ steps: 1, constraints: [frozen(atLayers(1))] })))).toBe(
      "fit: invalid options: frozen: expected layer indices in [0, 0], found 1",
    );
    expect(failure(fit(m, () => ({ x: T.zeros([2, 3]), y: T.zeros([3, 1]) }), sgdOpts({ steps: 1 })))).toBe(
      "fit: invalid data at step 0: expected as many targets as examples (2), found y [3, 1]",
    );
  });
  test("a target the loss cannot take and a diverging loss are errors with the step", () => {
    const m = linearModel();
    const data = linearData(8, 0);
    expect(failure(fit(m, { x: data.x, y: T.zeros([8]) }, sgdOpts({ steps: 1 })))).toBe(
      "fit: step 0 failed: meanSquaredError: shape mismatch: expected a target of the output's shape [8, 1], found [8]",
    );
    const big = { x: T.mul(data.x, 1e50), y: data.y };
    const r = fit(m, big, { loss: meanSquaredError, optimizer: sgd({ learningRate: 1 }), batchSize: 8, steps: 10 });
    expect(E.isLeft(r) && r.left._tag).toBe("NonFiniteLoss");
    expect(failure(r)).toMatch(/^fit: the loss became (Infinity|NaN) at step [1-9]: expected a finite loss/);
  });
});
