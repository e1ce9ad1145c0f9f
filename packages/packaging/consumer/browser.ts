// The browser-safe packages type-check with the DOM library and no Node types at all.
import * as E from "fp-ts/lib/Either.js";
import * as T from "@dtd/tensor";
import { unsafeMake } from "@dtd/tensor/unsafe";
import * as L from "@dtd/layers";
import * as DT from "@dtd/deep-taylor";
import { parseModel } from "@dtd/model-io";
import { Heatmap } from "@dtd/viz";
import * as P from "@dtd/parallel";
import { makePairs, parseMnistClass, splitMnist, mnistClasses, message } from "@dtd/datasets";

export const draw = (canvas: HTMLCanvasElement, modelJson: string, pixels: Float64Array): string | undefined => {
  const decoded = parseModel(modelJson);
  if (E.isLeft(decoded)) return "bad model";
  const x = unsafeMake([1, pixels.length], pixels);
  const e = DT.explain(decoded.right.model, x, DT.uniform(DT.deriveRule(DT.zPlus)));
  if (E.isLeft(e)) return DT.message(e.left);
  const img = Heatmap.relevance(e.right.R.data, { height: 1, width: pixels.length });
  canvas.getContext("2d")?.putImageData(new ImageData(new Uint8ClampedArray(img.data), img.width, img.height), 0, 0);
  return L.outputShapeOf(decoded.right.model).join("×");
};

/** Explains many inputs on Web Workers (this file sees @dtd/parallel's browser module: no Node types). */
export const explainAll = async (model: L.Model, inputs: readonly Float64Array[]): Promise<number> => {
  const r = await P.explainMany(model, inputs, P.layerwise({ first: P.zB(0, 1), rest: P.zPlus }), { workers: "auto", batchSize: 16 });
  return E.isRight(r) ? r.right.filter((o) => E.isRight(o.result)).length : -1;
};

/** MNIST pairs from class files fetched by the page (@dtd/datasets parses text: no Node API). */
export const pairsFrom = (texts: readonly string[]): Float64Array | string => {
  const images: Float64Array[] = [];
  for (const [c, text] of texts.entries()) {
    const parsed = parseMnistClass(text, `${c}.json`);
    if (E.isLeft(parsed)) return message(parsed.left);
    images.push(parsed.right);
  }
  return makePairs(splitMnist(mnistClasses(images), { seed: 0 }).test, { count: 2, seed: 1 }).x;
};
