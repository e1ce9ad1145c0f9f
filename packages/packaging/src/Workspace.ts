/**
 * What the packaging rules look at: every directory under `packages/`, read once — its package.json, its two
 * tsconfigs, its README and the bare module specifiers its sources import — and the root's solution tsconfigs.
 * Reading never throws: a missing or unparsable file is `undefined` (or `{ _tag: "Invalid" }`), and the rules
 * say what to add.
 * @module
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

/** A JSON file: absent, unparsable (with the parser's message), or its value. */
export type JsonFile = { readonly _tag: "Missing" } | { readonly _tag: "Invalid"; readonly error: string } | { readonly _tag: "Json"; readonly value: unknown };

/** One directory under packages/. */
export interface PackageDir {
  /** The directory's name: `tensor` for packages/tensor. */
  readonly dir: string;
  /** Its absolute path. */
  readonly path: string;
  readonly packageJson: JsonFile;
  /** tsconfig.json: the test project (type checks test/ against the built sources). */
  readonly tsconfig: JsonFile;
  /** tsconfig.build.json: src/ → dist/. */
  readonly tsconfigBuild: JsonFile;
  readonly readme: string | undefined;
  readonly hasSrcIndex: boolean;
  /** Package names imported by src/ (bare specifiers, `@scope/name` or `name`; no builtins). */
  readonly srcImports: ReadonlySet<string>;
  /** Source files (relative to src/, without `.ts`) whose first line is `#!/usr/bin/env node`. */
  readonly executables: ReadonlySet<string>;
}

/** The repository: its packages and the root's solution configs. */
export interface Workspace {
  readonly root: string;
  readonly packages: readonly PackageDir[];
  /** tsconfig.json at the root: references every package's test project. */
  readonly rootTsconfig: JsonFile;
  /** tsconfig.build.json at the root: references every package's build. */
  readonly rootTsconfigBuild: JsonFile;
}

/** The repository root (this file is packages/packaging/src/Workspace.ts). */
export const repoRoot = (): string => fileURLToPath(new URL("../../../", import.meta.url));

/** Reads a JSON file. */
export const readJson = (path: string): JsonFile => {
  if (!existsSync(path)) return { _tag: "Missing" };
  try {
    return { _tag: "Json", value: JSON.parse(readFileSync(path, "utf8")) as unknown };
  } catch (u) {
    return { _tag: "Invalid", error: u instanceof Error ? u.message : String(u) };
  }
};

const builtins = new Set(builtinModules);

/** The package a bare specifier names: `@dtd/tensor/Tensor` → `@dtd/tensor`, `fp-ts/lib/Either.js` → `fp-ts`. */
export const packageOf = (specifier: string): string => {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
};

/** A package name with an optional subpath: `name`, `@scope/name`, `name/sub/path.js`. */
const bareSpecifier = /^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*(\/[\w.@/-]*)?$/;

/**
 * Bare specifiers of static imports, re-exports, side-effect imports and dynamic `import("…")` with a literal
 * (comments are not stripped: a specifier quoted in a comment after `from` counts, which errs on the safe side).
 */
const importPattern = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)["']([^"'./][^"']*)["']/gm;

/** The packages a source text imports (no `node:` modules or builtins). */
export const importsOf = (source: string): string[] => {
  const out: string[] = [];
  for (const m of source.matchAll(importPattern)) {
    const spec = m[1]!;
    if (!bareSpecifier.test(spec) || spec.startsWith("node:") || builtins.has(spec) || builtins.has(packageOf(spec))) continue;
    out.push(packageOf(spec));
  }
  return out;
};

const sourceFiles = (dir: string): string[] => {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    if (d.isDirectory()) return sourceFiles(p);
    return /\.(m|c)?tsx?$/.test(d.name) && !d.name.endsWith(".d.ts") ? [p] : [];
  });
};

/** Reads one directory under packages/. */
export const readPackageDir = (root: string, dir: string): PackageDir => {
  const path = join(root, "packages", dir);
  const readme = join(path, "README.md");
  const src = join(path, "src");
  const sources = sourceFiles(src).map((f) => ({ rel: relative(src, f).replace(/\.ts$/, ""), text: readFileSync(f, "utf8") }));
  return {
    dir,
    path,
    packageJson: readJson(join(path, "package.json")),
    tsconfig: readJson(join(path, "tsconfig.json")),
    tsconfigBuild: readJson(join(path, "tsconfig.build.json")),
    readme: existsSync(readme) ? readFileSync(readme, "utf8") : undefined,
    hasSrcIndex: existsSync(join(src, "index.ts")),
    srcImports: new Set(sources.flatMap((f) => importsOf(f.text))),
    executables: new Set(sources.filter((f) => f.text.startsWith("#!/usr/bin/env node\n")).map((f) => f.rel)),
  };
};

/** Every directory under packages/ (hidden ones and plain files excepted), sorted. */
export const readWorkspace = (root: string = repoRoot()): Workspace => {
  const dirs = readdirSync(join(root, "packages"), { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith("."))
    .map((d) => d.name)
    .sort();
  return {
    root,
    packages: dirs.map((d) => readPackageDir(root, d)),
    rootTsconfig: readJson(join(root, "tsconfig.json")),
    rootTsconfigBuild: readJson(join(root, "tsconfig.build.json")),
  };
};

/** A path relative to the root, for messages. */
export const shown = (ws: Workspace, path: string): string => relative(ws.root, path);
