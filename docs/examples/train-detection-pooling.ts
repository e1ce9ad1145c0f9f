/**
 * Training the deck's detection-pooling network (Montavon et al. 2017, Sec. 3):
 *
 *   x_j = max(0, Σ_i x_i w_ij + b_j),   x_k = Σ_j x_j,   b_j ≤ 0 ∀j,
 *
 * on a planted-pattern task in ℝ₊ᵈ: 8×8 images of sparse non-negative noise, half of them with a bright
 * horizontal bar of three pixels planted somewhere; the target is 1 with the bar and 0 without. As in the
 * deck's MNIST setting, the weights start random (He normal, seeded), the biases start at zero, training is
 * stochastic gradient descent with batches of 20, and every bias is projected back onto b_j ≤ 0 after each
 * step (which keeps x = 0 a root of every detection neuron, as the z-rules need). The pooling layer is a fixed
 * sum with no parameters.
 *
 * Run: pnpm tsx docs/examples/train-detection-pooling.ts [steps] [seed]
 * @module
 */
import { pathToFileURL } from "node:url";
import * as L from "@dtd/layers";
import * as T from "@dtd/tensor";
import { unsafeMake } from "@dtd/tensor/unsafe";

const SIDE = 8;
const D = SIDE * SIDE;
const HIDDEN = 16;
const BAR = 3;

/** One image: noise on ~10% of the pixels, and, when `planted`, a bar of BAR bright pixels at a random place. */
const sample = (rng: T.Random.Rng, planted: boolean, out: Float64Array, offset: number): void => {
  for (let i = 0; i < D; i++) out[offset + i] = rng.next() < 0.1 ? 0.6 * rng.next() : 0;
  if (!planted) return;
  const row = T.Random.int(rng, SIDE);
  const col = T.Random.int(rng, SIDE - BAR + 1);
  for (let k = 0; k < BAR; k++) out[offset + row * SIDE + col + k] = 0.8 + 0.2 * rng.next();
};

/** n examples, half with the pattern (alternating), targets [n, 1] in {0, 1}. */
export const makeData = (n: number, seed: number): L.Dataset => {
  const rng = T.Random.make(seed);
  const x = new Float64Array(n * D);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 2;
    sample(rng, i % 2 === 1, x, i * D);
  }
  return { x: unsafeMake([n, D], x), y: unsafeMake([n, 1], y) };
};

/** Options of the example. */
export interface ExampleOptions {
  readonly steps: number;
  readonly seed: number;
  readonly learningRate?: number;
  readonly log?: (line: string) => void;
}

/** What the example found. */
export interface ExampleResult {
  readonly model: L.Model;
  /** Test-set mean squared error before and after training. */
  readonly initialLoss: number;
  readonly finalLoss: number;
  /** Test-set accuracy of `x_k > ½` after training. */
  readonly accuracy: number;
  /** The largest bias after training: ≤ 0 by the constraint. */
  readonly maxBias: number;
  readonly lossHistory: readonly number[];
}

const accuracyOf = (model: L.Model, data: L.Dataset): number => {
  const out = L.forward(model, data.x).output.data;
  let right = 0;
  for (let i = 0; i < out.length; i++) if (out[i]! > 0.5 === data.y.data[i]! > 0.5) right++;
  return right / out.length;
};

/** Builds, trains and checks the network; `log` receives progress lines. */
export const runExample = (opts: ExampleOptions): ExampleResult => {
  const log = opts.log ?? (() => undefined);
  const built = L.initModel([D], L.sequential(L.detection(T.zeros([D, HIDDEN]), T.zeros([HIDDEN])), L.sumPool()), { seed: opts.seed, scheme: "he", bias: 0 });
  if (built._tag === "Left") throw new Error(L.message(built.left));
  const model = built.right;
  const train = makeData(2000, opts.seed + 1);
  const test = makeData(1000, opts.seed + 2);
  const initialLoss = L.evaluate(model, test, L.meanSquaredError);
  log(`detection-pooling network ${model.shapes.map((s) => `[${s.join("×")}]`).join(" → ")}; test MSE before training ${initialLoss.toFixed(4)}`);

  const result = L.fit(model, train, {
    loss: L.meanSquaredError,
    optimizer: L.sgd({ learningRate: opts.learningRate ?? 0.02 }),
    batchSize: 20,
    steps: opts.steps,
    seed: opts.seed,
    constraints: [L.nonPositiveBias()],
    progressEvery: Math.max(1, Math.floor(opts.steps / 10)),
    onProgress: (p) =>
      log(`step ${String(p.step).padStart(6)}/${p.totalSteps}  epoch ${p.epoch ?? "-"}  batch MSE ${p.loss.toFixed(4)}  ${Math.round(p.examplesPerSecond)} examples/s`),
  });
  if (result._tag === "Left") throw new Error(L.trainErrorMessage(result.left));
  const trained = result.right.model;
  const finalLoss = L.evaluate(trained, test, L.meanSquaredError);
  const biases = L.paramTree(trained)[0]!["b"]!.data;
  const maxBias = Math.max(...biases);
  const accuracy = accuracyOf(trained, test);
  log(`test MSE after ${result.right.steps} steps: ${finalLoss.toFixed(4)} (from ${initialLoss.toFixed(4)}); accuracy ${(100 * accuracy).toFixed(1)}%`);
  log(`largest bias ${maxBias.toExponential(3)} (${maxBias <= 0 ? "every b_j ≤ 0, as required" : "CONSTRAINT VIOLATED"}); ${Array.from(biases).filter((b) => b === 0).length} of ${HIDDEN} biases at 0`);
  return { model: trained, initialLoss, finalLoss, accuracy, maxBias, lossHistory: result.right.lossHistory };
};

const main = (): void => {
  const steps = Number(process.argv[2] ?? 3000);
  const seed = Number(process.argv[3] ?? 1);
  const r = runExample({ steps, seed, log: (line) => console.log(line) });
  if (!(r.maxBias <= 0) || !(r.finalLoss < r.initialLoss)) {
    console.error("check failed: expected the loss to fall and every bias to stay ≤ 0");
    process.exitCode = 1;
  }
};

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
