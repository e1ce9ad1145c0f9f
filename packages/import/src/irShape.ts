/**
 * Shape inference for IR nodes, one entry per op (a missing op is a compile error). Shapes are per sample in
 * dtd's layout. A Left says what the node expected and found; the importers turn it into an error naming the
 * node.
 * @module
 */
import type { IrOp, IrOps, Pads, Pair } from "./Ir.ts";

type Shape = readonly number[];
type Result = { readonly ok: number[] } | { readonly error: string };

const show = (s: Shape): string => `[${s.join(", ")}]`;
const ok = (s: number[]): Result => ({ ok: s });
const error = (e: string): Result => ({ error: e });

const chw = (s: Shape | undefined): s is readonly [number, number, number] => s !== undefined && s.length === 3;

/** The output size of a window over `n` padded positions. */
const windows = (n: number, kernel: number, stride: number): number => Math.floor((n - kernel) / stride) + 1;

const windowed = (input: Shape | undefined, channels: number, kernel: Pair, stride: Pair, pads: Pads): Result => {
  if (!chw(input)) return error(`expected a CHW input, found ${input === undefined ? "none" : show(input)}`);
  if (kernel.some((k) => !Number.isInteger(k) || k < 1) || stride.some((s) => !Number.isInteger(s) || s < 1)) {
    return error(`expected positive kernel and stride, found kernel ${show(kernel)}, stride ${show(stride)}`);
  }
  const h = input[1] + pads[0] + pads[1];
  const w = input[2] + pads[2] + pads[3];
  if (kernel[0] > h || kernel[1] > w) return error(`expected a window no larger than the padded input ${h}×${w}, found ${kernel[0]}×${kernel[1]}`);
  return ok([channels, windows(h, kernel[0], stride[0]), windows(w, kernel[1], stride[1])]);
};

const noPads: Pads = [0, 0, 0, 0];

/** Per-op shape inference: the node's attributes and its inputs' shapes. */
export const irShapes: { readonly [K in IrOp]: (node: IrOps[K], inputs: readonly Shape[]) => Result } = {
  conv2d: (n, [x]) => {
    const [o, c] = n.W.shape as [number, number, number, number];
    if (!chw(x)) return error(`expected a CHW input, found ${x === undefined ? "none" : show(x)}`);
    if (x[0] !== c) return error(`expected ${c} input channels (the kernel is ${show(n.W.shape)} OIHW), found ${x[0]}`);
    return windowed(x, o, [n.W.shape[2]!, n.W.shape[3]!], n.stride, n.pads);
  },
  depthwiseConv2d: (n, [x]) => {
    if (!chw(x)) return error(`expected a CHW input, found ${x === undefined ? "none" : show(x)}`);
    if (x[0] * n.multiplier !== n.W.shape[0]) return error(`expected ${n.W.shape[0]! / n.multiplier} input channels (the kernel is ${show(n.W.shape)}, multiplier ${n.multiplier}), found ${x[0]}`);
    return windowed(x, n.W.shape[0]!, [n.W.shape[2]!, n.W.shape[3]!], n.stride, n.pads);
  },
  dense: (n, [x]) => {
    const [i, o] = n.W.shape as [number, number];
    if (x === undefined || x.length !== 1 || x[0] !== i) return error(`expected an input of shape [${i}] (the weight is ${show(n.W.shape)}), found ${x === undefined ? "none" : show(x)}`);
    return ok([o]);
  },
  scaleShift: (n, [x]) => {
    if (x === undefined || (x.length !== 1 && x.length !== 3)) return error(`expected a vector or CHW input, found ${x === undefined ? "none" : show(x)}`);
    if (n.scale.shape[0] !== x[0] || n.shift.shape[0] !== x[0]) return error(`expected one scale and shift per ${x.length === 3 ? "channel" : "feature"} (${x[0]}), found ${n.scale.shape[0]}`);
    return ok([...x]);
  },
  relu: (_n, [x]) => ok([...x!]),
  clippedRelu: (n, [x]) => (n.max > 0 ? ok([...x!]) : error(`expected a positive maximum, found ${n.max}`)),
  maxPool2d: (n, [x]) =>
    n.pads.some((p, a) => !Number.isInteger(p) || p < 0 || p >= n.kernel[a < 2 ? 0 : 1])
      ? error(`expected pads smaller than the window ${show(n.kernel)} (every window must hold an input element), found ${show(n.pads)}`)
      : windowed(x, x?.[0] ?? 0, n.kernel, n.stride, n.pads),
  avgPool2d: (n, [x]) => windowed(x, x?.[0] ?? 0, n.kernel, n.stride, noPads),
  globalAvgPool: (_n, [x]) => (chw(x) ? ok([x[0]]) : error(`expected a CHW input, found ${x === undefined ? "none" : show(x)}`)),
  globalMaxPool: (_n, [x]) => (chw(x) ? ok([x[0]]) : error(`expected a CHW input, found ${x === undefined ? "none" : show(x)}`)),
  pad2d: (n, [x]) => {
    if (!chw(x)) return error(`expected a CHW input, found ${x === undefined ? "none" : show(x)}`);
    if (n.pads.some((p) => !Number.isInteger(p) || p < 0)) return error(`expected non-negative integer pads, found ${show(n.pads)}`);
    return ok([x[0], x[1] + n.pads[0] + n.pads[1], x[2] + n.pads[2] + n.pads[3]]);
  },
  flatten: (_n, [x]) => ok([x!.reduce((a, b) => a * b, 1)]),
  add: (_n, xs) => {
    if (xs.length < 2) return error(`expected at least 2 inputs, found ${xs.length}`);
    const first = xs[0]!;
    const bad = xs.find((s) => s.length !== first.length || s.some((d, i) => d !== first[i]));
    return bad === undefined ? ok([...first]) : error(`expected inputs of one shape, found ${xs.map(show).join(" and ")}`);
  },
  concat: (_n, xs) => {
    if (xs.length < 2) return error(`expected at least 2 inputs, found ${xs.length}`);
    const first = xs[0]!;
    const bad = xs.find((s) => s.length !== first.length || s.some((d, i) => i > 0 && d !== first[i]));
    if (bad !== undefined) return error(`expected inputs that differ only in their first (channel or feature) axis, found ${xs.map(show).join(" and ")}`);
    return ok([xs.reduce((a, s) => a + s[0]!, 0), ...first.slice(1)]);
  },
};

/** The output shape of an op on inputs of the given shapes. */
export const inferShape = <K extends IrOp>(op: K, node: IrOps[K], inputs: readonly Shape[]): Result =>
  (irShapes[op] as (n: IrOps[K], i: readonly Shape[]) => Result)(node, inputs);
