/**
 * Where the repository is, for the files the examples keep there (`.cache/dtd/`, `.cache/titanic/`), whatever
 * directory the command runs in.
 * @module
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (this file is packages/examples/src/kit/repoRoot.ts, or its build in dist/kit/). */
export const repoRoot = (): string => fileURLToPath(new URL("../../../../", import.meta.url));

/** The default cache folder of trained models: `<root>/.cache/dtd`. */
export const defaultCacheDir = (): string => resolve(repoRoot(), ".cache", "dtd");
