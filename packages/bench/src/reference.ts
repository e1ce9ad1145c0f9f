/**
 * A slow, independent float64 gradient × input, R_i = x_i · ∂f/∂x_i, written as plain loops straight from the
 * layer definitions. It is never timed: the bench uses it to check that a peer computes the right heatmaps
 * (including layout conversions such as NCHW ↔ NHWC) before its figures are reported.
 * @module
 */
import type { F64, Layer, NetSpec } from "./nets.ts";
import { shapeChain } from "./nets.ts";

const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

const forward = (layer: Layer, x: Float64Array, inShape: readonly number[], outShape: readonly number[], batch: number): Float64Array => {
  const nIn = size(inShape);
  const nOut = size(outShape);
  const y = new Float64Array(batch * nOut);
  switch (layer.kind) {
    case "dense": {
      const W = layer.W.data, b = layer.b.data, m = layer.outputs;
      for (let s = 0; s < batch; s++)
        for (let j = 0; j < m; j++) {
          let acc = b[j]!;
          for (let i = 0; i < nIn; i++) acc += x[s * nIn + i]! * W[i * m + j]!;
          y[s * nOut + j] = acc;
        }
      return y;
    }
    case "conv2d": {
      const [C, H, Wd] = inShape as [number, number, number];
      const [O, Ho, Wo] = outShape as [number, number, number];
      const K = layer.kernel, W = layer.W.data, b = layer.b.data;
      for (let s = 0; s < batch; s++)
        for (let o = 0; o < O; o++)
          for (let r = 0; r < Ho; r++)
            for (let c = 0; c < Wo; c++) {
              let acc = b[o]!;
              for (let ci = 0; ci < C; ci++)
                for (let kr = 0; kr < K; kr++)
                  for (let kc = 0; kc < K; kc++)
                    acc += x[s * nIn + (ci * H + r + kr) * Wd + c + kc]! * W[((o * C + ci) * K + kr) * K + kc]!;
              y[s * nOut + (o * Ho + r) * Wo + c] = acc;
            }
      return y;
    }
    case "maxPool2d": {
      const [C, H, Wd] = inShape as [number, number, number];
      const [, Ho, Wo] = outShape as [number, number, number];
      const P = layer.size;
      for (let s = 0; s < batch; s++)
        for (let ci = 0; ci < C; ci++)
          for (let r = 0; r < Ho; r++)
            for (let c = 0; c < Wo; c++) {
              let best = -Infinity;
              for (let pr = 0; pr < P; pr++)
                for (let pc = 0; pc < P; pc++) best = Math.max(best, x[s * nIn + (ci * H + r * P + pr) * Wd + c * P + pc]!);
              y[s * nOut + (ci * Ho + r) * Wo + c] = best;
            }
      return y;
    }
    case "relu":
      for (let i = 0; i < y.length; i++) y[i] = Math.max(0, x[i]!);
      return y;
    case "flatten":
      y.set(x);
      return y;
    case "sumPool":
      for (let s = 0; s < batch; s++) {
        let acc = 0;
        for (let i = 0; i < nIn; i++) acc += x[s * nIn + i]!;
        y[s] = acc;
      }
      return y;
  }
};

/** ∂f/∂(layer input) from ∂f/∂(layer output) `g`; `x` is the layer input. */
const backward = (layer: Layer, x: Float64Array, g: Float64Array, inShape: readonly number[], outShape: readonly number[], batch: number): Float64Array => {
  const nIn = size(inShape);
  const nOut = size(outShape);
  const gx = new Float64Array(batch * nIn);
  switch (layer.kind) {
    case "dense": {
      const W = layer.W.data, m = layer.outputs;
      for (let s = 0; s < batch; s++)
        for (let i = 0; i < nIn; i++) {
          let acc = 0;
          for (let j = 0; j < m; j++) acc += g[s * nOut + j]! * W[i * m + j]!;
          gx[s * nIn + i] = acc;
        }
      return gx;
    }
    case "conv2d": {
      const [C, H, Wd] = inShape as [number, number, number];
      const [O, Ho, Wo] = outShape as [number, number, number];
      const K = layer.kernel, W = layer.W.data;
      for (let s = 0; s < batch; s++)
        for (let o = 0; o < O; o++)
          for (let r = 0; r < Ho; r++)
            for (let c = 0; c < Wo; c++) {
              const go = g[s * nOut + (o * Ho + r) * Wo + c]!;
              for (let ci = 0; ci < C; ci++)
                for (let kr = 0; kr < K; kr++)
                  for (let kc = 0; kc < K; kc++) gx[s * nIn + (ci * H + r + kr) * Wd + c + kc]! += go * W[((o * C + ci) * K + kr) * K + kc]!;
            }
      return gx;
    }
    case "maxPool2d": {
      const [C, H, Wd] = inShape as [number, number, number];
      const [, Ho, Wo] = outShape as [number, number, number];
      const P = layer.size;
      for (let s = 0; s < batch; s++)
        for (let ci = 0; ci < C; ci++)
          for (let r = 0; r < Ho; r++)
            for (let c = 0; c < Wo; c++) {
              let arg = -1;
              let best = -Infinity;
              for (let pr = 0; pr < P; pr++)
                for (let pc = 0; pc < P; pc++) {
                  const k = s * nIn + (ci * H + r * P + pr) * Wd + c * P + pc;
                  if (x[k]! > best) (best = x[k]!), (arg = k);
                }
              gx[arg]! += g[s * nOut + (ci * Ho + r) * Wo + c]!;
            }
      return gx;
    }
    case "relu":
      for (let i = 0; i < gx.length; i++) gx[i] = x[i]! > 0 ? g[i]! : 0;
      return gx;
    case "flatten":
      gx.set(g);
      return gx;
    case "sumPool":
      for (let s = 0; s < batch; s++) for (let i = 0; i < nIn; i++) gx[s * nIn + i] = g[s]!;
      return gx;
  }
};

/** Activations of every layer for the batch `x` (`[batch, ...inputShape]`): the input first, the output last. */
const activations = (net: NetSpec, x: F64): { acts: Float64Array[]; shapes: number[][]; batch: number } => {
  const batch = x.shape[0]!;
  const shapes = shapeChain(net.inputShape, net.layers);
  const acts: Float64Array[] = [x.data];
  net.layers.forEach((layer, l) => acts.push(forward(layer, acts[l]!, shapes[l]!, shapes[l + 1]!, batch)));
  return { acts, shapes, batch };
};

/** Index of the explained output unit of sample `s`: every unit (−1) for "sum", else the first maximum. */
const topUnit = (net: NetSpec, out: Float64Array, s: number, nOut: number): number => {
  if (net.output === "sum") return -1;
  let arg = 0;
  for (let j = 1; j < nOut; j++) if (out[s * nOut + j]! > out[s * nOut + arg]!) arg = j;
  return arg;
};

/** f summed over the batch: Σ_b Σ_k out[b, k] ("sum") or Σ_b max_k out[b, k] ("topLogit"). */
export const explainedOutput = (net: NetSpec, x: F64): number => {
  const { acts, shapes, batch } = activations(net, x);
  const out = acts[acts.length - 1]!;
  const nOut = size(shapes[shapes.length - 1]!);
  let f = 0;
  for (let s = 0; s < batch; s++) {
    const k = topUnit(net, out, s, nOut);
    if (k >= 0) f += out[s * nOut + k]!;
    else for (let j = 0; j < nOut; j++) f += out[s * nOut + j]!;
  }
  return f;
};

/**
 * Gradient × input of the net's explained output f for every sample of `x` (`[batch, ...inputShape]`), in the
 * input's layout. f is Σ of the last layer (A) or the top-class logit (B, C; the first maximum on ties).
 */
export const gradientTimesInput = (net: NetSpec, x: F64): Float64Array => {
  const { acts, shapes, batch } = activations(net, x);
  const out = acts[acts.length - 1]!;
  const nOut = size(shapes[shapes.length - 1]!);
  let g: Float64Array = new Float64Array(out.length);
  for (let s = 0; s < batch; s++) {
    const k = topUnit(net, out, s, nOut);
    if (k >= 0) g[s * nOut + k] = 1;
    else for (let j = 0; j < nOut; j++) g[s * nOut + j] = 1;
  }
  for (let l = net.layers.length - 1; l >= 0; l--) g = backward(net.layers[l]!, acts[l]!, g, shapes[l]!, shapes[l + 1]!, batch);
  const r = new Float64Array(g.length);
  for (let i = 0; i < r.length; i++) r[i] = g[i]! * x.data[i]!;
  return r;
};
