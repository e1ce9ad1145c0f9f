/**
 * The Titanic data set on disk (Node only; `@dtd/datasets/node`). Where the file comes from
 * ({@link locateTitanic}): an explicit path, else the environment variable DTD_TITANIC, else
 * `<root>/.cache/titanic/titanic3.arff`, written by `bash scripts/fetch-titanic.sh`. The parsing and the feature
 * pipeline are the browser-safe `./titanic.ts`.
 * @module
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { gunzipSync } from "node:zlib";
import * as E from "fp-ts/lib/Either.js";
import type { DataError } from "./DataError.ts";
import { parseTitanic, type TitanicData, titanicFeatures, type TitanicOptions } from "./titanic.ts";
import type { Passenger, TitanicFormat } from "./titanicSource.ts";

/** The default location of the data set, relative to the repository root. */
export const DEFAULT_TITANIC_PATH = ".cache/titanic/titanic3.arff";

/** How to get the data: the hint of the NotFound error. */
export const TITANIC_HINT =
  "Get it with `bash scripts/fetch-titanic.sh` (Debian/Ubuntu: extracts titanic3, OpenML 40945, from the " +
  `python3-sklearn package into ${DEFAULT_TITANIC_PATH}), or pass the path of a Kaggle Titanic train.csv ` +
  "(or set DTD_TITANIC to it).";

/** Where to look: `root` is the repository root; a relative `path` is resolved against it. */
export interface TitanicLocation {
  readonly root: string;
  readonly path?: string | undefined;
  /** The environment to read DTD_TITANIC from (default: process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The file the data will be read from, or NotFound with the paths tried and how to get the data. */
export const locateTitanic = (where: TitanicLocation): E.Either<DataError, string> => {
  const fromEnv = (where.env ?? process.env)["DTD_TITANIC"];
  const chosen = where.path ?? (fromEnv !== undefined && fromEnv !== "" ? fromEnv : DEFAULT_TITANIC_PATH);
  const full = resolve(where.root, chosen);
  return existsSync(full) ? E.right(full) : E.left({ _tag: "NotFound", what: "Titanic data", tried: [full], hint: TITANIC_HINT });
};

/** Locates and parses the passengers (ARFF or CSV, detected from the content; `.gz` files are decompressed). */
export const readTitanic = (
  where: TitanicLocation,
): E.Either<DataError, { readonly path: string; readonly format: TitanicFormat; readonly passengers: Passenger[] }> => {
  const located = locateTitanic(where);
  if (E.isLeft(located)) return located;
  const path = located.right;
  let text: string;
  try {
    const bytes = readFileSync(path);
    text = (path.endsWith(".gz") ? gunzipSync(bytes) : bytes).toString("utf8");
  } catch (e) {
    return E.left({ _tag: "ReadFailed", path, reason: e instanceof Error ? e.message : String(e) });
  }
  return E.map((parsed: { readonly format: TitanicFormat; readonly passengers: Passenger[] }) => ({ path, ...parsed }))(parseTitanic(text, path));
};

/** {@link readTitanic} then {@link titanicFeatures}; the result also says which file was read. */
export const loadTitanic = (
  where: TitanicLocation,
  options: TitanicOptions = {},
): E.Either<DataError, TitanicData & { readonly source: { readonly path: string; readonly format: TitanicFormat } }> => {
  const read = readTitanic(where);
  if (E.isLeft(read)) return read;
  const { path, format, passengers } = read.right;
  return E.map((data: TitanicData) => ({ ...data, source: { path, format } }))(titanicFeatures(passengers, options));
};
