/**
 * A plain Node project outside the workspace that installs packed tarballs as a user would, offline: the
 * tarballs come from disk, everything else (fp-ts, io-ts, pngjs, …) from the local pnpm store, which
 * `pnpm install` filled for the workspace. Nothing is downloaded (`--offline` fails on a cache miss).
 * @module
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { cleanEnv, type Packed } from "./pack.ts";

/** What a consumer project depends on. */
export interface ConsumerOptions {
  /** Every packed @dtd package: the ones not asked for are only used for their dependents (pnpm overrides). */
  readonly packed: readonly Packed[];
  /** The @dtd packages the project depends on directly. */
  readonly use: readonly string[];
  /** Other direct dependencies, name → version (e.g. fp-ts, the peer users provide). */
  readonly extra?: Readonly<Record<string, string>>;
  /** A name for the temporary directory. */
  readonly label: string;
  /** Versions to hold external packages to, wherever they occur (pnpm overrides): see locked.ts. */
  readonly pins?: ReadonlyMap<string, string>;
  /** More pnpm-workspace.yaml settings, verbatim (e.g. the workspace's `allowBuilds:` block). */
  readonly settings?: string;
}

/** An installed consumer project. */
export interface Consumer {
  readonly dir: string;
  /** Runs a command in the project (node_modules/.bin first on PATH); returns stdout, throws on a non-zero exit. */
  readonly run: (file: string, args: readonly string[]) => string;
  /** Writes a file into the project. */
  readonly write: (name: string, text: string) => string;
}

const yamlString = (s: string): string => JSON.stringify(s);

/**
 * The settings with the packed packages that have an install script (@dtd/native compiles its addon) allowed to
 * run it. pnpm 12 names a tarball dependency `<name>@file:<path from the project>` and matches allowBuilds
 * against that, so the workspace's `"@dtd/native": true` (which allows the registry's copies) does not cover it.
 */
const withBuildsAllowed = (settings: string, packed: readonly Packed[], dir: string): string => {
  const lines = packed
    .filter((p) => typeof p.manifest["scripts"] === "object" && p.manifest["scripts"] !== null && "install" in p.manifest["scripts"])
    .map((p) => `  ${yamlString(`${p.name}@file:${relative(dir, p.tarball)}`)}: true\n`)
    .join("");
  if (lines === "") return settings;
  return settings.includes("allowBuilds:\n") ? settings.replace("allowBuilds:\n", `allowBuilds:\n${lines}`) : `${settings}allowBuilds:\n${lines}`;
};

/**
 * Creates `<tmp>/dtd-<label>-XXXX` with a package.json (ESM, the dependencies), a pnpm-workspace.yaml whose
 * `overrides` send every @dtd package to its tarball (and hold the pinned packages to their versions), and
 * installs offline.
 */
export const makeConsumer = (opts: ConsumerOptions): Consumer => {
  const dir = mkdtempSync(join(tmpdir(), `dtd-${opts.label}-`));
  const byName = new Map(opts.packed.map((p) => [p.name, p]));
  const file = (name: string): string => {
    const p = byName.get(name);
    if (p === undefined) throw new Error(`makeConsumer: expected a packed package named ${name}, found ${[...byName.keys()].join(", ")}`);
    return `file:${p.tarball}`;
  };
  const dependencies = { ...Object.fromEntries(opts.use.map((n) => [n, file(n)])), ...opts.extra };
  writeFileSync(join(dir, "package.json"), `${JSON.stringify({ name: `dtd-consumer-${opts.label}`, version: "1.0.0", private: true, type: "module", dependencies }, null, 2)}\n`);
  const pins = [...(opts.pins ?? new Map<string, string>())].filter(([name]) => !byName.has(name) && !(name in dependencies));
  const overrides = [...opts.packed.map((p) => [p.name, file(p.name)] as const), ...pins].map(([k, v]) => `  ${yamlString(k)}: ${yamlString(v)}`).join("\n");
  writeFileSync(join(dir, "pnpm-workspace.yaml"), `overrides:\n${overrides}\n${withBuildsAllowed(opts.settings ?? "", opts.packed, dir)}updateNotifier: false\n`);
  const env = cleanEnv({ PATH: `${join(dir, "node_modules", ".bin")}:${process.env["PATH"] ?? ""}` });
  execFileSync("pnpm", ["install", "--offline", "--no-frozen-lockfile"], { cwd: dir, env, stdio: "pipe" });
  return {
    dir,
    run: (cmd, args) => execFileSync(cmd, [...args], { cwd: dir, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }),
    write: (name, text) => {
      const path = join(dir, name);
      mkdirSync(join(path, ".."), { recursive: true });
      writeFileSync(path, text);
      return path;
    },
  };
};
