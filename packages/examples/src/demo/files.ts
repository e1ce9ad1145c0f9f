/**
 * Writing an example's outputs: its folder, PNG pictures and the report, each failure as a message naming the file.
 * @module
 */
import { mkdirSync, writeFileSync } from "node:fs";
import * as E from "fp-ts/lib/Either.js";
import { VizError } from "@dtd/viz";
import * as Png from "@dtd/viz/png";

/** Creates the output folder (and its parents). */
export const ensureDir = (dir: string): E.Either<string, void> => {
  try {
    mkdirSync(dir, { recursive: true });
    return E.right(undefined);
  } catch (u) {
    return E.left(`could not create the output folder ${dir}: ${u instanceof Error ? u.message : String(u)}`);
  }
};

/** Writes a picture; Right: its path. */
export const writePng = (path: string, image: Parameters<typeof Png.writePng>[1]): E.Either<string, string> => E.bimap(VizError.message, () => path)(Png.writePng(path, image));

/** Writes a text file; Right: its path. */
export const writeText = (path: string, text: string): E.Either<string, string> => {
  try {
    writeFileSync(path, text);
    return E.right(path);
  } catch (u) {
    return E.left(`could not write ${path}: ${u instanceof Error ? u.message : String(u)}`);
  }
};
