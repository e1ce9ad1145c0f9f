import * as E from "fp-ts/lib/Either.js";
import * as T from "@dtd/tensor";
import * as L from "@dtd/layers";
import { loadMnist, splitMnist } from "../src/data/mnist.ts";
import { makePairs, PAIR_PIXELS, pairSampler } from "../src/data/mnistPairs.ts";
import { LOSSES } from "../src/demo/detectionLoss.ts";
import { accuracy, chooseThreshold } from "../src/demo/threshold.ts";
const [arch, stepsS, lrS, opt, scaleS] = process.argv.slice(2);
const steps = Number(stepsS), lr = Number(lrS), scale = Number(scaleS ?? "1");
const archs: Record<string, { shape: number[]; layers: L.Sequential }> = {
  mlp: { shape: [1568], layers: L.sequential(L.detection(T.zeros([1568, 256]), T.zeros([256])), L.detection(T.zeros([256, 64]), T.zeros([64])), L.sumPool()) },
  mlp3: { shape: [1568], layers: L.sequential(L.detection(T.zeros([1568, 256]), T.zeros([256])), L.detection(T.zeros([256, 128]), T.zeros([128])), L.detection(T.zeros([128, 32]), T.zeros([32])), L.sumPool()) },
  cnn: { shape: [1, 28, 56], layers: L.sequential(L.conv2d(T.zeros([8, 1, 5, 5]), T.zeros([8]), { padding: [2, 2] }), L.relu, L.sumPool({ kernel: [2, 2] }), L.conv2d(T.zeros([12, 8, 5, 5]), T.zeros([12]), { padding: [2, 2] }), L.relu, L.sumPool({ kernel: [2, 2] }), L.flatten, L.detection(T.zeros([12 * 7 * 14, 64]), T.zeros([64])), L.sumPool()) },
};
const a = archs[arch!]!;
const m0 = L.initModel(a.shape, a.layers, { seed: 1, scheme: "he", bias: 0 });
if (E.isLeft(m0)) throw new Error(L.message(m0.left));
const model0 = L.withParamTree(m0.right, L.paramTree(m0.right).map((p) => Object.fromEntries(Object.entries(p).map(([k, v]) => [k, k === "W" ? T.mul(v, scale) : v]))));
const { train, test } = splitMnist(loadMnist(), { seed: 1 });
const sampler = pairSampler(train, 2);
const B = 20;
const t0 = performance.now();
const r = L.fit(model0, () => { const x = new Float64Array(B * PAIR_PIXELS); const y = new Float64Array(B); sampler.fillBatch(x, y); return { x: T.unsafeMake([B, ...a.shape], x), y: T.unsafeMake([B, 1], y) }; },
  { loss: LOSSES.hinge, optimizer: opt === "adam" ? L.adam({ learningRate: lr }) : L.sgd({ learningRate: lr }), steps, constraints: [L.nonPositiveBias()], progressEvery: Math.max(1, Math.floor(steps / 10)), onProgress: (p) => console.log(p.step, p.loss.toFixed(4), `${((performance.now() - t0) / 1000).toFixed(1)}s`) });
if (E.isLeft(r)) throw new Error(L.trainErrorMessage(r.left));
const model = r.right.model;
const score = (set: { count: number; x: Float64Array }) => { const f = new Float64Array(set.count); for (let s = 0; s < set.count; s += 500) { const n = Math.min(500, set.count - s); f.set(L.forward(model, T.unsafeMake([n, ...a.shape], set.x.slice(s * PAIR_PIXELS, (s + n) * PAIR_PIXELS))).output.data, s); } return f; };
const cal = makePairs(train, { count: 2000, seed: 3 });
const th = chooseThreshold(score(cal), cal.labels);
const ts = makePairs(test, { count: 2000, seed: 4 });
const fts = score(ts);
console.log(`${arch} steps ${steps} lr ${lr} ${opt}: train ${(100 * th.trainAccuracy).toFixed(2)} test ${(100 * accuracy(fts, ts.labels, th.t)).toFixed(2)} in ${((performance.now() - t0) / 1000).toFixed(1)} s; f>0 on ${fts.filter((v) => v > 0).length}/2000`);
