/**
 * How a model's input is shown as a picture: channels × height × width, in the model's own flat layout
 * (CHW, row-major: pixel (c, y, x) is element c·h·w + y·w + x). Image models say it in their input shape; a
 * flat input needs the model's `metadata.imageShape` — or is read as MNIST digits side by side (a multiple of
 * 784 values: 28 rows, as the deck's 28 × 56 pairs) or as a square.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";

/** The picture of an input. */
export interface ImageLayout {
  readonly channels: 1 | 3;
  readonly height: number;
  readonly width: number;
  /** How the layout was found, for the page. */
  readonly from: "input shape" | "metadata.imageShape" | "MNIST rows of 28" | "square";
}

const isCount = (n: unknown): n is number => typeof n === "number" && Number.isInteger(n) && n > 0;
const isChannels = (c: number): c is 1 | 3 => c === 1 || c === 3;

/** The layout of a model's input, or why it cannot be shown as an image. */
export const imageLayout = (inputShape: readonly number[], metadata: Readonly<Record<string, unknown>>): E.Either<string, ImageLayout> => {
  const [a, b, c] = inputShape;
  if (inputShape.length === 3 && isChannels(a!)) return E.right({ channels: a, height: b!, width: c!, from: "input shape" });
  if (inputShape.length === 2) return E.right({ channels: 1, height: a!, width: b!, from: "input shape" });
  if (inputShape.length !== 1) return E.left(`an input of shape [${inputShape.join(", ")}] is not a picture: expected [1 or 3, height, width], [height, width] or a flat vector`);
  const n = a!;
  const meta = metadata["imageShape"];
  if (Array.isArray(meta) && meta.length === 3 && meta.every(isCount)) {
    const [mc, mh, mw] = meta as [number, number, number];
    if (isChannels(mc) && mc * mh * mw === n) return E.right({ channels: mc, height: mh, width: mw, from: "metadata.imageShape" });
  }
  if (meta !== undefined) return E.left(`metadata.imageShape: expected [1 or 3, height, width] with ${n} values in all, found ${JSON.stringify(meta)}`);
  if (n % 784 === 0) return E.right({ channels: 1, height: 28, width: n / 28, from: "MNIST rows of 28" });
  const side = Math.round(Math.sqrt(n));
  if (side * side === n) return E.right({ channels: 1, height: side, width: side, from: "square" });
  return E.left(`a flat input of ${n} values is not a picture: add "imageShape": [channels, height, width] to the model file's metadata`);
};
