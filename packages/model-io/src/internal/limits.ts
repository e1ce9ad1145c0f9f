/**
 * Size limits that make "a decoded model runs" true for any file: nothing a forward pass allocates per sample
 * may exceed MAX_ACTIVATION_SIZE values. Shape inference knows every size before anything is allocated, so a
 * file that asks for gigabytes (a huge input, a huge padding) is refused with a message instead of crashing.
 * @module
 */
import type * as L from "@dtd/layers";
import * as T from "@dtd/tensor";
import type { Problem } from "../ModelFileError.ts";

/** The most values one sample may hold in any buffer of a forward pass: 2²⁶ (512 MiB in float64). */
export const MAX_ACTIVATION_SIZE = 2 ** 26;

/**
 * The first layer whose forward pass would allocate more than MAX_ACTIVATION_SIZE values per sample: its
 * output, or for conv2d also its unfolded input (im2col: in·kh·kw rows × oh·ow columns).
 */
export const sizeProblem = (model: L.Model): Problem | undefined => {
  for (let i = 0; i < model.layers.length; i++) {
    const layer = model.layers[i]!;
    const out = model.shapes[i + 1]!;
    const size = T.Shape.size(out);
    if (size > MAX_ACTIVATION_SIZE) {
      return { path: `layers[${i}]`, expected: `an output of at most ${MAX_ACTIVATION_SIZE} values per sample`, found: `an output of shape ${T.showShape(out)} (${size} values)` };
    }
    if (layer.kind === "conv2d") {
      const [, c, kh, kw] = layer.W.shape as [number, number, number, number];
      const [, oh, ow] = out as [number, number, number];
      const unfolded = c * kh * kw * oh * ow;
      if (unfolded > MAX_ACTIVATION_SIZE) {
        return {
          path: `layers[${i}]`,
          expected: `a convolution whose unfolded input (in·kh·kw × oh·ow) holds at most ${MAX_ACTIVATION_SIZE} values per sample`,
          found: `${c}·${kh}·${kw} × ${oh}·${ow} = ${unfolded} values`,
        };
      }
    }
  }
  return undefined;
};
