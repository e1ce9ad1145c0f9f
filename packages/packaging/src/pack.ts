/**
 * Builds the published packages (`tsc -b tsconfig.build.json`) and packs each with `pnpm pack`, which applies
 * `publishConfig` (dist/ exports, types) and turns `workspace:^` into `^<version>` — the tarballs a registry
 * would serve.
 * @module
 */
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { Workspace } from "./Workspace.ts";

/** One packed package. */
export interface Packed {
  readonly name: string;
  readonly dir: string;
  readonly version: string;
  /** Absolute path of the .tgz. */
  readonly tarball: string;
  /** Paths inside the tarball, relative to `package/`. */
  readonly files: readonly string[];
  /** The package.json inside the tarball: what the registry would serve. */
  readonly manifest: Readonly<Record<string, unknown>>;
}

/**
 * The environment for a child pnpm/node: the parent's, without the `npm_*`/`pnpm_*` settings that `pnpm run`
 * exports to its scripts (they would configure the child as part of this workspace).
 */
export const cleanEnv = (extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv => ({
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm|pnpm)_/i.test(k))),
  ...extra,
});

/** The workspace's TypeScript 7 compiler (`tsc`). */
export const tscBin = (): string => join(createRequire(import.meta.url).resolve("typescript/package.json"), "..", "bin", "tsc");

const run = (what: string, args: readonly string[], ws: Workspace): void => {
  try {
    execFileSync(process.execPath, [...args], { cwd: ws.root, env: cleanEnv(), encoding: "utf8", stdio: "pipe" });
  } catch (u) {
    const out = typeof u === "object" && u !== null && "stdout" in u ? `${String(u.stdout)}${"stderr" in u ? String(u.stderr) : ""}` : String(u);
    throw new Error(`${what} failed:\n${out}`);
  }
};

/**
 * Builds every package's dist/ (incremental: nearly free when up to date), then the CLI's bundle (dist/bundle/,
 * what its `dtd` runs: `pnpm build`). Throws with the tools' output on errors.
 */
export const build = (ws: Workspace): void => {
  run("tsc -b tsconfig.build.json", [tscBin(), "-b", join(ws.root, "tsconfig.build.json")], ws);
  run("the CLI's bundle", [join(ws.root, "packages", "cli", "scripts", "bundle.mjs"), "cli"], ws);
};

/** The names of the published (non-private) packages, with their directories. */
export const publishedPackages = (ws: Workspace): { readonly name: string; readonly dir: string; readonly version: string }[] =>
  ws.packages.flatMap((p) => {
    if (p.packageJson._tag !== "Json") return [];
    const m = p.packageJson.value as { name?: unknown; version?: unknown; private?: unknown };
    return m.private === true ? [] : [{ name: String(m.name), dir: p.dir, version: String(m.version) }];
  });

/** Packs every published package into `dest` (built first: call {@link build}). */
export const packAll = (ws: Workspace, dest: string): Packed[] => {
  mkdirSync(dest, { recursive: true });
  return publishedPackages(ws).map((p) => {
    const out = execFileSync("pnpm", ["pack", "--json", "--pack-destination", dest], { cwd: join(ws.root, "packages", p.dir), env: cleanEnv(), encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    const report = JSON.parse(out) as { filename: string; files: { path: string }[] };
    const manifest = JSON.parse(execFileSync("tar", ["-xzOf", report.filename, "package/package.json"], { encoding: "utf8" })) as Record<string, unknown>;
    return { ...p, tarball: report.filename, files: report.files.map((f) => f.path), manifest };
  });
};
