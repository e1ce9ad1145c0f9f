/**
 * Exact rewrites of an imported graph that recover the layers its format split apart:
 * - a bias added after a matmul or convolution (ONNX MatMul + Add, TF Conv2D + BiasAdd) is that layer's bias,
 *   W·x + b + t = W·x + (b + t), when nothing else takes the layer's output;
 * - consecutive per-channel affine maps (a folded batch norm's Mul then Add) are one:
 *   (x·s₁ + t₁)·s₂ + t₂ = x·(s₁s₂) + (t₁s₂ + t₂);
 * - consecutive zero paddings (PyTorch's F.pad before a padded pool) are one, their pads added;
 * - consecutive ReLU-type units are one (relu∘relu = relu; a clipped ReLU with a ReLU before or after it is the
 *   clipped ReLU; two clipped ReLUs clip at the smaller maximum) — what clip_by_value after a ReLU reads as.
 * - a convolution followed directly by an average pool is one convolution ({@link convThenAvgPool}).
 * Batch norms after a convolution are not folded here: that is dtd's canonizer's choice (it checks f).
 * @module
 */
import type { IrModel, IrNode, IrNodeOf } from "./Ir.ts";
import { convThenAvgPool } from "./convPool.ts";
import { f32 } from "./layout.ts";

const consumers = (m: IrModel): Map<string, number> => {
  const count = new Map<string, number>([[m.output, 1]]);
  for (const n of m.nodes) for (const i of n.inputs) count.set(i, (count.get(i) ?? 0) + 1);
  return count;
};

const isPureShift = (n: IrNodeOf<"scaleShift">): boolean => {
  for (let j = 0; j < n.scale.data.length; j++) if (n.scale.data[j] !== 1) return false;
  return true;
};
const map = (x: ArrayLike<number>, f: (v: number, j: number) => number): Float32Array => Float32Array.from({ length: x.length }, (_, j) => f(x[j]!, j));

/** One rewrite of `s` into its input `a`, or undefined when none applies. */
const fuse = (a: IrNode, s: IrNode): IrNode | undefined => {
  if ((s.op === "relu" || s.op === "clippedRelu") && (a.op === "relu" || a.op === "clippedRelu")) {
    if (s.op === "relu") return a;
    return a.op === "relu" ? { ...s, name: a.name, inputs: a.inputs } : { ...a, max: Math.min(a.max, s.max) };
  }
  if (s.op === "avgPool2d") return a.op === "conv2d" || a.op === "depthwiseConv2d" ? convThenAvgPool(a, s) : undefined;
  if (s.op === "pad2d") return a.op === "pad2d" ? { ...a, pads: [0, 1, 2, 3].map((k) => a.pads[k]! + s.pads[k]!) as unknown as typeof a.pads } : undefined;
  if (s.op !== "scaleShift") return undefined;
  if ((a.op === "dense" || a.op === "conv2d" || a.op === "depthwiseConv2d") && isPureShift(s)) {
    const b = map(a.b.data, (v, j) => v + s.shift.data[j]!);
    return { ...a, b: f32(a.b.shape, b) };
  }
  if (a.op === "scaleShift") {
    const scale = map(a.scale.data, (v, j) => v * s.scale.data[j]!);
    const shift = map(a.shift.data, (v, j) => v * s.scale.data[j]! + s.shift.data[j]!);
    return { ...a, scale: f32(a.scale.shape, scale), shift: f32(a.shift.shape, shift) };
  }
  return undefined;
};

/** The model with bias adds fused into their layers and chains of per-channel affine maps merged. */
export const simplify = (m: IrModel): IrModel => {
  const count = consumers(m);
  const nodes = new Map<string, IrNode>(m.nodes.map((n) => [n.name, n]));
  const renamed = new Map<string, string>();
  const resolve = (name: string): string => renamed.get(name) ?? name;
  const pooled: string[] = [];
  for (const n of m.nodes) {
    if (n.op !== "scaleShift" && n.op !== "pad2d" && n.op !== "relu" && n.op !== "clippedRelu" && n.op !== "avgPool2d") continue;
    const inputName = resolve(n.inputs[0]!);
    const a = nodes.get(inputName);
    if (a === undefined || (count.get(n.inputs[0]!) ?? 0) !== 1) continue;
    const fused = fuse(a, n);
    if (fused === undefined) continue;
    nodes.set(inputName, { ...fused, shape: n.shape });
    nodes.delete(n.name);
    renamed.set(n.name, inputName);
    if (n.op === "avgPool2d") pooled.push(`${n.name} into ${inputName}`);
  }
  if (renamed.size === 0) return m;
  const out = m.nodes.filter((n) => nodes.has(n.name)).map((n) => {
    const k = nodes.get(n.name)!;
    return { ...k, inputs: k.inputs.map(resolve) };
  });
  const notes = pooled.length === 0 ? m.notes : [...m.notes, `average pools that directly follow a convolution are one convolution with them (the same linear map): ${pooled.slice(0, 4).join(", ")}${pooled.length > 4 ? ", …" : ""}`];
  return { ...m, nodes: out, output: resolve(m.output), notes };
};
