import * as E from "fp-ts/lib/Either.js";
import * as T from "@dtd/tensor";
import * as L from "@dtd/layers";
const init = (shape: number[], layers: L.Sequential) => { const m = L.initModel(shape, layers, { seed: 1, scheme: "he", bias: 0 }); if (E.isLeft(m)) throw new Error(L.message(m.left)); return m.right; };
const mlp = init([1568], L.sequential(L.detection(T.zeros([1568, 256]), T.zeros([256])), L.detection(T.zeros([256, 64]), T.zeros([64])), L.sumPool()));
const one = init([1568], L.sequential(L.detection(T.zeros([1568, 400]), T.zeros([400])), L.sumPool()));
const cnn = init([1, 28, 56], L.sequential(L.conv2d(T.zeros([8, 1, 5, 5]), T.zeros([8]), { padding: [2, 2] }), L.relu, L.sumPool({ kernel: [2, 2] }), L.conv2d(T.zeros([16, 8, 5, 5]), T.zeros([16]), { padding: [2, 2] }), L.relu, L.sumPool()));
const time = (name: string, m: L.Model, shape: number[], n: number) => {
  const x = T.Random.uniformTensor(T.Random.make(1), [n, ...shape], 0, 1);
  L.forward(m, x);
  const t0 = performance.now(); for (let i = 0; i < 3; i++) L.forward(m, x); const t = (performance.now() - t0) / 3;
  const xb = T.Random.uniformTensor(T.Random.make(1), [20, ...shape], 0, 1);
  const t1 = performance.now(); for (let i = 0; i < 5; i++) { const [, pb] = L.vjp(m, xb); pb(T.ones([20, 1])); } const tb = (performance.now() - t1) / 5;
  console.log(name, `forward ${n}: ${t.toFixed(1)} ms (${(t / n * 1000).toFixed(1)} µs/sample); fwd+bwd(input) batch 20: ${tb.toFixed(1)} ms`);
};
time("one-layer", one, [1568], 600);
time("mlp", mlp, [1568], 600);
time("cnn", cnn, [1, 28, 56], 600);
