// The browser-safe packages type-check with the DOM library and no Node types at all.
import * as E from "fp-ts/lib/Either.js";
import * as T from "@dtd/tensor";
import * as L from "@dtd/layers";
import * as DT from "@dtd/deep-taylor";
import { parseModel } from "@dtd/model-io";
import * as Heatmap from "@dtd/viz/Heatmap";

export const draw = (canvas: HTMLCanvasElement, modelJson: string, pixels: Float64Array): string | undefined => {
  const decoded = parseModel(modelJson);
  if (E.isLeft(decoded)) return "bad model";
  const x = T.unsafeMake([1, pixels.length], pixels);
  const e = DT.explain(decoded.right.model, x, DT.uniform(DT.deriveRule(DT.zPlus)));
  if (E.isLeft(e)) return DT.message(e.left);
  const img = Heatmap.relevance(e.right.R.data, { height: 1, width: pixels.length });
  canvas.getContext("2d")?.putImageData(new ImageData(new Uint8ClampedArray(img.data), img.width, img.height), 0, 0);
  return L.outputShapeOf(decoded.right.model).join("×");
};
