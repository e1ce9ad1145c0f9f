/**
 * The one parser of integer flag values (`--steps 100`, `--seed 3`): digits only, a safe integer, at least `min`.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import { type CliError, usage } from "./CliError.ts";

/** The value of `--flag` as an integer ≥ min, or a usage error quoting it. */
export const integerFlag = (flag: string, v: string, min: number): E.Either<CliError, number> => {
  const n = Number(v);
  return /^\d+$/.test(v) && Number.isSafeInteger(n) && n >= min ? E.right(n) : E.left(usage(`--${flag}: expected an integer ≥ ${min}, found "${v}"`));
};
