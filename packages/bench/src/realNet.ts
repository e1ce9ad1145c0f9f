/**
 * The real-model net of the bench (issue 18): the anti-spoofing CNN that ships in `@vladmandic/human` 3.3.6
 * (`models/antispoof.json`, a TF.js graph model with float16 weights: conv 3→64, 64→32, 32→16, each 3×3
 * followed by 2×2 max pooling and ReLU, then Dense 3136→128, ReLU, Dense 128→1; the final sigmoid dropped, so
 * f = the logit) with its own weights, imported by `@dtd/import` as `pnpm dtd real-model` imports it, and
 * real photos as inputs: square crops of `@vladmandic/face-api` 1.7.15's demo photos resampled to 128 × 128
 * RGB in [0, 1] (the box [0, 1] of zᵇ), as Human feeds the net. Both packages are pinned development
 * dependencies: nothing is downloaded.
 *
 * The crops are not faces picked by hand (`dtd real-model` does that): for the bench only the sizes and the
 * values' distribution matter, so a batch takes, photo by photo (sample1…6.jpg), the left, centre and right
 * squares of full photo height, in that order (18 crops; batches up to {@link antispoofMaxBatch}). Each 8-bit
 * value p becomes (p + u) / 256 with u uniform in [0, 1) (seeded): the photo within its quantisation step. Without
 * that dither, flat regions (a white wall, a saturated highlight) give max-pool windows with exact ties, which
 * gradient × input breaks by each library's own summation order: PyTorch's heatmap then differed from the float64
 * reference by 8·10⁻⁴ of its largest value, TF.js's by 0.23; with it they agree to 7·10⁻¹⁶ and 3·10⁻⁷.
 *
 * The net has positive biases (40 of the 64 first-layer filters), so dtd runs it, like every bench net, in
 * lenient mode: the rules' modified forward passes have no bias, as the torch peer's.
 * @module
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import * as E from "fp-ts/lib/Either.js";
import { importModel } from "@dtd/import";
import type * as L from "@dtd/layers";
import * as T from "@dtd/tensor";
import { Image, Resample, VizError } from "@dtd/viz";
import * as Photo from "@dtd/viz/photo";
import type { F64, Layer, NetSpec } from "./nets.ts";

/** The largest batch of the real net: the batch 16 (batch 128 would take seconds per call). */
export const antispoofMaxBatch = 16;

/** The folder of an installed package (whose exports map may hide its package.json): its main file's path cut
 * after `node_modules/<name>`. */
const packageDir = (name: string): string => {
  let main: string;
  try {
    main = createRequire(import.meta.url).resolve(name);
  } catch {
    throw new Error(`bench net antispoof: expected the development dependency ${name} (run pnpm install in the repository)`);
  }
  const at = main.lastIndexOf(join("node_modules", name));
  if (at < 0) throw new Error(`bench net antispoof: expected ${name} under a node_modules folder, found ${main}`);
  return main.slice(0, at + join("node_modules", name).length);
};

const f64 = (t: T.Tensor): F64 => (t.dtype === "float64" ? (t as F64) : T.astype(t, "float64"));

const same = (p: readonly number[], v: number): boolean => p.every((q) => q === v);

/** A dtd layer as a bench layer (stride-1 unpadded convolutions, square max pools with stride = size); throws
 * naming the layer when the model has another kind. */
const benchLayer = (layer: L.Layer, i: number): Layer => {
  const refuse = (what: string): never => {
    throw new Error(`bench net antispoof: layer ${i} (${layer.kind}): expected ${what}, found ${JSON.stringify(layer, (k, v: unknown) => (k === "W" || k === "b" ? "…" : v))}`);
  };
  switch (layer.kind) {
    case "dense":
      return { kind: "dense", inputs: layer.W.shape[0]!, outputs: layer.W.shape[1]!, W: f64(layer.W), b: f64(layer.b) };
    case "conv2d": {
      const [o, c, kh, kw] = layer.W.shape as [number, number, number, number];
      if (kh !== kw || !same(layer.stride, 1) || !same(layer.padding, 0)) return refuse("a square, stride-1, unpadded convolution");
      return { kind: "conv2d", inChannels: c, outChannels: o, kernel: kh, W: f64(layer.W), b: f64(layer.b) };
    }
    case "maxPool2d": {
      const k = layer.kernel[0];
      if (!same(layer.kernel, k) || !same(layer.stride, k) || (layer.padding !== undefined && !same(layer.padding, 0))) return refuse("a square, unpadded max pool with stride = size");
      return { kind: "maxPool2d", size: k };
    }
    case "relu":
    case "flatten":
      return { kind: layer.kind };
    default:
      return refuse("dense, conv2d, maxPool2d, relu or flatten");
  }
};

/** The model's weights, as float64 bench layers. */
const antispoofLayers = (): { readonly inputShape: readonly number[]; readonly layers: Layer[] } => {
  const dir = join(packageDir("@vladmandic/human"), "models");
  const file = join(dir, "antispoof.json");
  const m = importModel(new Uint8Array(readFileSync(file)), { name: file, dtype: "float64", readFile: (f) => new Uint8Array(readFileSync(join(dir, f))) });
  if (E.isLeft(m)) throw new Error(`bench net antispoof: ${file}: ${JSON.stringify(m.left)}`);
  if (m.right.model.sources.some((s, i) => s.length !== 1 || s[0] !== i)) throw new Error(`bench net antispoof: expected a chain of layers, found a graph`);
  return { inputShape: m.right.model.inputShape, layers: m.right.model.layers.map(benchLayer) };
};

/** The crops of the demo photos, [count, 3, H, W] in (0, 1), dithered, in the order of the module comment. */
const photoCrops = (count: number, h: number, w: number): F64 => {
  const dir = join(packageDir("@vladmandic/face-api"), "demo");
  const x = new Float64Array(count * 3 * h * w);
  const dither = T.Random.uniformTensor(T.Random.make(18), [count * 3 * h * w], 0, 1, "float64").data;
  let k = 0;
  for (let photo = 1; photo <= 6 && k < count; photo++) {
    const path = join(dir, `sample${photo}.jpg`);
    const img = Photo.decodePhoto(new Uint8Array(readFileSync(path)), path);
    if (E.isLeft(img)) throw new Error(`bench net antispoof: ${VizError.message(img.left)}`);
    const side = Math.min(img.right.width, img.right.height);
    for (const at of [0, 0.5, 1]) {
      if (k === count) break;
      const crop = Image.crop(img.right, Math.round(at * (img.right.width - side)), 0, side, side);
      const d = Resample.resize(crop, w, h).data;
      for (let c = 0, j = k * 3 * h * w; c < 3; c++) for (let i = 0; i < h * w; i++, j++) x[j] = (d[4 * i + c]! + dither[j]!) / 256;
      k++;
    }
  }
  if (k < count) throw new Error(`bench net antispoof: expected a batch of at most 18 photo crops, found ${count}`);
  return T.of(x, [count, 3, h, w]);
};

/** The real net: the imported weights, f = the logit, zᵇ + z⁺ on the box [0, 1], photo crops as inputs. */
export const antispoofNet = (): NetSpec => {
  const { inputShape, layers } = antispoofLayers();
  const [, h, w] = inputShape as [number, number, number];
  return {
    name: "antispoof",
    description: "Human's anti-spoofing CNN 3×128×128 (real weights): conv64, conv32, conv16 3×3 + pool2, Dense 3136→128→1",
    inputShape,
    layers,
    output: "topLogit",
    rules: ["zb+zplus"],
    box: { lo: 0, hi: 1 },
    maxBatch: antispoofMaxBatch,
    inputs: (batch) => photoCrops(batch, h, w),
  };
};
