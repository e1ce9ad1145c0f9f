/**
 * A shape on the command line (`--input-shape 224,224,3`).
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import { type CliError, usage } from "./CliError.ts";

/** "224,224,3" → [224, 224, 3]; anything but positive integers separated by commas is a usage error naming the flag. */
export const parseShape = (flag: string, v: string): E.Either<CliError, number[]> => {
  const parts = v.split(",").map((s) => s.trim());
  const dims = parts.map(Number);
  return parts.length > 0 && dims.every((d, i) => Number.isSafeInteger(d) && d > 0 && /^\d+$/.test(parts[i]!)) ? E.right(dims) : E.left(usage(`--${flag}: expected positive integers separated by commas, e.g. 224,224,3, found "${v}"`));
};
