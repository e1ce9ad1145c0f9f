/**
 * A slow, independent evaluator of the IR, written from the op definitions with plain loops in float64: the
 * oracle that checks an import against the original runtime without going through dtd's layers.
 */
import type { IrModel, IrNode } from "@dtd/import";

type Act = { shape: readonly number[]; data: Float64Array };

const conv = (x: Act, W: ArrayLike<number>, wShape: readonly number[], b: ArrayLike<number>, o: { stride: readonly number[]; pads: readonly number[]; groups: number }, out: readonly number[]): Float64Array => {
  const [C, H, Wd] = x.shape as [number, number, number];
  const [O, I, kh, kw] = wShape as [number, number, number, number];
  const [, oh, ow] = out as [number, number, number];
  const y = new Float64Array(O * oh * ow);
  const perGroupOut = O / o.groups;
  for (let k = 0; k < O; k++) {
    const g = Math.floor(k / perGroupOut);
    for (let r = 0; r < oh; r++)
      for (let c = 0; c < ow; c++) {
        let s = b[k]!;
        for (let i = 0; i < I; i++) {
          const ch = o.groups === 1 ? i : g * I + i;
          for (let u = 0; u < kh; u++)
            for (let v = 0; v < kw; v++) {
              const yy = r * o.stride[0]! + u - o.pads[0]!;
              const xx = c * o.stride[1]! + v - o.pads[2]!;
              if (yy < 0 || yy >= H || xx < 0 || xx >= Wd) continue;
              s += x.data[(ch * H + yy) * Wd + xx]! * W[((k * I + i) * kh + u) * kw + v]!;
            }
        }
        y[(k * oh + r) * ow + c] = s;
      }
  }
  void C;
  return y;
};

/** Window pooling; max pooling's pads [top, bottom, left, right] are −∞ (members outside x are skipped). */
const pool = (x: Act, kernel: readonly number[], stride: readonly number[], out: readonly number[], max: boolean, pads: readonly number[] = [0, 0, 0, 0]): Float64Array => {
  const [C, H, W] = x.shape as [number, number, number];
  const [, oh, ow] = out as [number, number, number];
  const y = new Float64Array(C * oh * ow);
  for (let ch = 0; ch < C; ch++)
    for (let r = 0; r < oh; r++)
      for (let c = 0; c < ow; c++) {
        let s = max ? -Infinity : 0;
        for (let u = 0; u < kernel[0]!; u++)
          for (let v = 0; v < kernel[1]!; v++) {
            const row = r * stride[0]! + u - pads[0]!;
            const col = c * stride[1]! + v - pads[2]!;
            if (row < 0 || row >= H || col < 0 || col >= W) continue;
            const val = x.data[(ch * H + row) * W + col]!;
            s = max ? Math.max(s, val) : s + val;
          }
        y[(ch * oh + r) * ow + c] = max ? s : s / (kernel[0]! * kernel[1]!);
      }
  return y;
};

const evalNode = (n: IrNode, xs: readonly Act[]): Float64Array => {
  const x = xs[0]!;
  switch (n.op) {
    case "conv2d":
      return conv(x, n.W.data, n.W.shape, n.b.data, { stride: n.stride, pads: n.pads, groups: 1 }, n.shape);
    case "depthwiseConv2d":
      return conv(x, n.W.data, n.W.shape, n.b.data, { stride: n.stride, pads: n.pads, groups: x.shape[0]! }, n.shape);
    case "dense": {
      const [nIn, nOut] = n.W.shape as [number, number];
      const y = Float64Array.from(n.b.data);
      for (let i = 0; i < nIn; i++) for (let j = 0; j < nOut; j++) y[j]! += x.data[i]! * n.W.data[i * nOut + j]!;
      return y;
    }
    case "scaleShift": {
      const per = x.data.length / x.shape[0]!;
      return x.data.map((v, i) => v * n.scale.data[Math.floor(i / per)]! + n.shift.data[Math.floor(i / per)]!);
    }
    case "relu":
      return x.data.map((v) => Math.max(0, v));
    case "clippedRelu":
      return x.data.map((v) => Math.min(Math.max(0, v), n.max));
    case "maxPool2d":
      return pool(x, n.kernel, n.stride, n.shape, true, n.pads);
    case "avgPool2d":
      return pool(x, n.kernel, n.stride, n.shape, false);
    case "globalAvgPool":
    case "globalMaxPool": {
      const [C] = x.shape as [number];
      const per = x.data.length / C;
      return Float64Array.from({ length: C }, (_, c) => {
        const part = x.data.subarray(c * per, (c + 1) * per);
        return n.op === "globalMaxPool" ? Math.max(...part) : part.reduce((a, v) => a + v, 0) / per;
      });
    }
    case "pad2d": {
      const [C, H, W] = x.shape as [number, number, number];
      const [, oh, ow] = n.shape as [number, number, number];
      const y = new Float64Array(C * oh * ow);
      for (let c = 0; c < C; c++) for (let r = 0; r < H; r++) for (let q = 0; q < W; q++) y[(c * oh + r + n.pads[0]) * ow + q + n.pads[2]] = x.data[(c * H + r) * W + q]!;
      return y;
    }
    case "flatten":
      return x.data;
    case "add":
      return x.data.map((v, i) => xs.slice(1).reduce((a, t) => a + t.data[i]!, v));
    case "concat": {
      const parts = xs.map((t) => Array.from(t.data));
      return Float64Array.from(parts.flat());
    }
  }
};

/** The logits of one sample (in dtd's layout) through the IR, with the model's preprocessing applied first. */
export const evalIr = (m: IrModel, x: ArrayLike<number>): Float64Array => {
  let input = Float64Array.from(x);
  if (m.preprocessing !== undefined) {
    const { scale, offset } = m.preprocessing;
    const per = input.length / m.input.shape[0]!;
    input = input.map((v, i) => {
      const c = scale.length === 1 ? 0 : Math.floor(i / per);
      return v * scale[c]! + offset[c]!;
    });
  }
  const values = new Map<string, Act>([[m.input.name, { shape: m.input.shape, data: input }]]);
  for (const n of m.nodes) values.set(n.name, { shape: n.shape, data: evalNode(n, n.inputs.map((i) => values.get(i)!)) });
  return values.get(m.output)!.data;
};
