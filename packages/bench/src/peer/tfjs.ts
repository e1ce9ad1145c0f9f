/**
 * The JavaScript peer: gradient × input, R = x ⊙ ∂f/∂x, with TensorFlow.js 4.22 (`@tensorflow/tfjs`, the bundle of
 * tfjs-core, its gradients and the cpu backend) on its `cpu` backend (plain JavaScript) and its `wasm` backend
 * (XNNPACK, SIMD when available, 1 thread).
 *
 * f is Σ of the net's last layer (A: x_k = Σ_j x_j) or, per sample, the logit of the top class (B, C); the
 * per-sample f are summed over the batch before `tf.grad`, which gives each sample's own gradient since samples
 * do not interact. tfjs has no float64: every job runs in float32.
 *
 * Layout: tfjs convolutions are NHWC with HWIO filters, so inputs are transposed from NCHW and conv weights from
 * OIHW once in `prepare`; the Dense layer after a flatten gets its rows permuted from (c, h, w) to (h, w, c)
 * order, so that the function computed is exactly the NetSpec's. The heatmap is read back to a typed array
 * (`dataSync`) inside the timed call; every intermediate tensor is released by `tf.tidy`.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { getThreadsCount, setThreadsCount, setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { createRequire } from "node:module";
import path from "node:path";
import type { Impl, Job, Prepared } from "../Impl.ts";
import { type Layer, type NetSpec, shapeChain } from "../nets.ts";

/** The tfjs backends benchmarked. */
export type TfjsBackend = "cpu" | "wasm";

let wasmConfigured = false;

/** Points the wasm backend at its binaries in node_modules and pins it to one thread (before it initialises). */
const configureWasm = (): void => {
  if (wasmConfigured) return;
  const require = createRequire(import.meta.url);
  const dir = path.join(path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist") + path.sep;
  setWasmPaths(dir);
  setThreadsCount(1);
  wasmConfigured = true;
};

type Step = (h: tf.Tensor) => tf.Tensor;

/** Rows of a Dense weight `[C·H·W, m]` reordered from (c, h, w) to (h, w, c) flatten order. */
const permuteRowsCHWtoHWC = (W: Float64Array, C: number, H: number, Wd: number, m: number): Float32Array => {
  const out = new Float32Array(W.length);
  for (let c = 0; c < C; c++)
    for (let h = 0; h < H; h++)
      for (let w = 0; w < Wd; w++) {
        const src = ((c * H + h) * Wd + w) * m;
        const dst = ((h * Wd + w) * C + c) * m;
        for (let j = 0; j < m; j++) out[dst + j] = W[src + j]!;
      }
  return out;
};

/** The net as a list of tfjs steps, and the parameter tensors it holds (to dispose). */
const compile = (net: NetSpec): { steps: Step[]; params: tf.Tensor[] } => {
  const shapes = shapeChain(net.inputShape, net.layers);
  const params: tf.Tensor[] = [];
  const keep = <X extends tf.Tensor>(t: X): X => (params.push(t), t);
  const steps: Step[] = [];
  // The per-sample CHW shape of a flattened feature map, until the Dense layer that consumes it.
  let flattenedFrom: readonly number[] | undefined;
  net.layers.forEach((layer: Layer, l) => {
    const inShape = shapes[l]!;
    switch (layer.kind) {
      case "dense": {
        const [C, H, Wd] = flattenedFrom ?? [];
        const data =
          C !== undefined && H !== undefined && Wd !== undefined
            ? permuteRowsCHWtoHWC(layer.W.data, C, H, Wd, layer.outputs)
            : Float32Array.from(layer.W.data);
        flattenedFrom = undefined;
        const W = keep(tf.tensor2d(data, [layer.inputs, layer.outputs], "float32"));
        const b = keep(tf.tensor1d(Float32Array.from(layer.b.data), "float32"));
        steps.push((h) => tf.add(tf.matMul(h, W), b));
        return;
      }
      case "conv2d": {
        const { outChannels: O, inChannels: I, kernel: K } = layer;
        const W = keep(tf.tidy(() => tf.transpose(tf.tensor4d(Float32Array.from(layer.W.data), [O, I, K, K], "float32"), [2, 3, 1, 0])));
        const b = keep(tf.tensor1d(Float32Array.from(layer.b.data), "float32"));
        steps.push((h) => tf.add(tf.conv2d(h as tf.Tensor4D, W as tf.Tensor4D, 1, "valid"), b));
        return;
      }
      case "relu":
        steps.push((h) => tf.relu(h));
        return;
      case "maxPool2d":
        steps.push((h) => tf.maxPool(h as tf.Tensor4D, layer.size, layer.size, "valid"));
        return;
      case "flatten":
        flattenedFrom = inShape;
        steps.push((h) => tf.reshape(h, [h.shape[0]!, -1]));
        return;
      case "sumPool":
        steps.push((h) => tf.sum(h, 1, true));
        return;
    }
  });
  return { steps, params };
};

/** f summed over the batch: Σ_b Σ_k out[b, k] (A) or Σ_b out[b, argmax_k out[b, k]] (B, C, antispoof). */
const explainedOutput = (net: NetSpec, out: tf.Tensor): tf.Scalar => {
  // One output (the antispoof logit): the top class is that output (oneHot refuses a depth of 1).
  if (net.output === "sum" || out.shape[1] === 1) return tf.sum(out);
  // int32 one-hot, then cast: tfjs-backend-wasm 4.22's OneHot ignores dtype "float32" and writes the int32 bit
  // patterns (1 reads as 1.4e-45), which silently zeroes every heatmap; the check against reference.ts caught it.
  const mask = tf.cast(tf.oneHot(tf.argMax(out, 1), out.shape[1]!), "float32");
  return tf.sum(tf.mul(out, mask));
};

/** Prepares gradient × input for one job on the active tfjs backend. */
const prepareJob = (job: Job): Prepared => {
  const { net, x, batch } = job;
  if (x.shape[0] !== batch) throw new Error(`tfjs: expected an input batch of ${batch}, found shape [${x.shape.join(", ")}]`);
  const spatial = net.inputShape.length === 3;
  const { steps, params } = compile(net);
  // tfjs convolutions want NHWC; the heatmap is then NHWC too and is transposed back only for checking.
  const xT = tf.tidy(() => {
    const t = tf.tensor(Float32Array.from(x.data), [...x.shape], "float32");
    return spatial ? tf.transpose(t, [0, 2, 3, 1]) : t;
  });
  const f = (input: tf.Tensor): tf.Scalar => explainedOutput(net, steps.reduce((h, step) => step(h), input));
  const gradF = tf.grad(f);
  const heatmap = (): tf.Tensor => tf.mul(gradF(xT), xT);
  return {
    run: () =>
      tf.tidy(() => {
        heatmap().dataSync();
      }),
    heatmaps: () => {
      const r = tf.tidy(() => (spatial ? tf.transpose(heatmap(), [0, 3, 1, 2]) : heatmap()));
      const data = Float64Array.from(r.dataSync());
      r.dispose();
      return data;
    },
    dispose: () => {
      for (const p of params) p.dispose();
      xT.dispose();
    },
    liveTensors: () => tf.memory().numTensors,
  };
};

let active: TfjsBackend | undefined;

/**
 * Makes `backend` the active tfjs backend (both backends share tfjs's one engine). The backend last set here is
 * remembered rather than asked for: `tf.getBackend()` would initialise a default backend before the first call.
 */
const activate = async (backend: TfjsBackend): Promise<void> => {
  if (active === backend) return;
  const ok = await tf.setBackend(backend);
  await tf.ready();
  if (!ok || tf.getBackend() !== backend) {
    throw new Error(`tfjs: expected backend "${backend}" to initialise, found active backend "${tf.getBackend()}"`);
  }
  active = backend;
};

/** The tfjs peer on one backend. */
export const tfjsImpl = (backend: TfjsBackend): Impl => ({
  name: `tfjs-${backend}`,
  kind: "peer",
  method: "gradientTimesInput",
  group: "tfjs",
  threads: 1,
  dtypes: ["float32"],
  setup: async () => {
    // Production mode: no per-op debug checks (and no "install tfjs-node" banner), as one deploys tfjs.
    tf.enableProdMode();
    if (backend === "wasm") configureWasm();
    await activate(backend);
    return undefined;
  },
  activate: () => activate(backend),
  describe: async () => ({
    backend,
    version: tf.version_core,
    ...(backend === "wasm"
      ? { simd: Boolean(await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT")), threads: getThreadsCount() }
      : { threads: 1 }),
  }),
  prepare: prepareJob,
});
