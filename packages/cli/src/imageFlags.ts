/**
 * The flags of `--image` (a photo as an image model's input) and their parsing into a {@link PhotoPrep}:
 * how the photo is framed, the channel order, and the normalisation v = (p·pixelScale − mean_c) / std_c.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import { type CliError, usage } from "./CliError.ts";
import type { Values } from "./Command.ts";
import { isNumeral } from "./jsonNumbers.ts";
import { defaultPrep, type PhotoPrep } from "./photoInput.ts";

/** The flags. */
export const imageFlags = {
  image: { type: "string", value: "FILE", description: "ONE photo (JPEG or PNG, any size) for an image model, instead of --input: resampled to the model's input and normalised as below" },
  resize: { type: "string", value: "MODE", choices: ["stretch", "crop"], description: "--image: resample the whole photo (stretch, default) or its largest centred window of the input's aspect ratio (crop)" },
  "channel-order": { type: "string", value: "ORDER", choices: ["rgb", "bgr"], description: "--image: the model's channel order (default rgb; one-channel models take gray)" },
  "pixel-scale": { type: "string", value: "S", description: "--image: pixel values 0…255 are multiplied by S first (default 1/255: values in [0, 1]); a number or a fraction such as 1/127.5" },
  mean: { type: "string", value: "M", description: "--image: subtracted after scaling, one value or one per channel (e.g. 0.485,0.456,0.406; default 0)" },
  std: { type: "string", value: "S", description: "--image: divided by after the mean, one value or one per channel (default 1)" },
} as const;

/** A number or a fraction "a/b". */
const numberOrFraction = (flag: string, v: string): E.Either<CliError, number> => {
  const parts = v.split("/");
  if (parts.length <= 2 && parts.every((p) => isNumeral(p.trim()))) {
    const n = parts.length === 2 ? Number(parts[0]) / Number(parts[1]) : Number(parts[0]);
    if (Number.isFinite(n) && n !== 0) return E.right(n);
  }
  return E.left(usage(`--${flag}: expected a non-zero number or a fraction such as 1/255, found "${v}"`));
};

/** One number, or a comma-separated list of them. */
const numberList = (flag: string, v: string, nonZero: boolean): E.Either<CliError, number[]> => {
  const parts = v.split(",").map((p) => p.trim());
  const xs = parts.map(Number);
  if (parts.every(isNumeral) && xs.every((x) => Number.isFinite(x) && (!nonZero || x !== 0))) return E.right(xs);
  return E.left(usage(`--${flag}: expected ${nonZero ? "non-zero " : ""}numbers separated by commas (one, or one per channel), found "${v}"`));
};

/** The preparation the flags ask for; flags given without --image are a usage error. */
export const parseImageFlags = (values: Values<typeof imageFlags>): E.Either<CliError, PhotoPrep | undefined> => {
  const given = (["resize", "channel-order", "pixel-scale", "mean", "std"] as const).filter((k) => values[k] !== undefined);
  if (values.image === undefined) return given.length === 0 ? E.right(undefined) : E.left(usage(`${given.map((k) => `--${k}`).join(", ")} prepare a photo: use them with --image`));
  const scale = values["pixel-scale"] === undefined ? E.right(defaultPrep.pixelScale) : numberOrFraction("pixel-scale", values["pixel-scale"]);
  if (E.isLeft(scale)) return scale;
  const mean = values.mean === undefined ? E.right([...defaultPrep.mean]) : numberList("mean", values.mean, false);
  if (E.isLeft(mean)) return mean;
  const std = values.std === undefined ? E.right([...defaultPrep.std]) : numberList("std", values.std, true);
  if (E.isLeft(std)) return std;
  return E.right({
    resize: values.resize === "crop" ? "crop" : "stretch",
    channelOrder: values["channel-order"] === "bgr" ? "bgr" : "rgb",
    pixelScale: scale.right,
    mean: mean.right,
    std: std.right,
  });
};
