/**
 * Where the repository is, for the files the examples keep there (`.cache/dtd/`, `.cache/titanic/`), whatever
 * directory the command runs in.
 * @module
 */
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The repository root: two levels above this package's directory (packages/examples), which Node finds from this
 * module by the package's name — from its own files (src/, dist/) and from the bundle of `pnpm dtd`
 * (dist/bundle/, @dtd/cli's scripts/bundle.mjs), whose `import.meta.url` is the bundle's.
 */
export const repoRoot = (): string => {
  try {
    return resolve(dirname(createRequire(import.meta.url).resolve("@dtd/examples")), "..", "..", "..");
  } catch {
    return fileURLToPath(new URL("../../../../", import.meta.url));
  }
};

/** The default cache folder of trained models: `<root>/.cache/dtd`. */
export const defaultCacheDir = (): string => resolve(repoRoot(), ".cache", "dtd");
