/**
 * The packaging rules, as data: each rule looks at one directory under `packages/` and lists what is wrong with
 * it, every message saying what to add or change. `pnpm check` runs them over every directory (test/
 * conformance.test.ts), so a new package that does not follow them fails with those messages; `pnpm conform`
 * prints them. docs/packaging.md explains the why of each rule.
 *
 * Two kinds of package: **published** ones (no `"private": true`: the libraries and the CLI), which build to
 * dist/ and publish it, and **private** ones (bench, the explorer, this package), which only follow the
 * workspace's layout.
 * @module
 */
import { isDeepStrictEqual } from "node:util";
import { type JsonFile, type PackageDir, type Workspace } from "./Workspace.ts";

/** The names of the rules. */
export type RuleId =
  | "manifest"
  | "exports"
  | "workspaceRanges"
  | "importsDeclared"
  | "readme"
  | "tsconfigBuild"
  | "tsconfigTest"
  | "solution"
  | "publishedFiles"
  | "publishedExports"
  | "publishedDeps"
  | "engines"
  | "peers"
  | "bin"
  | "readmeInstall";

/** A broken rule: where, which, and what to do. */
export interface Problem {
  readonly dir: string;
  readonly rule: RuleId;
  readonly message: string;
}

/** A package whose package.json parsed to an object. */
export interface Pkg extends PackageDir {
  readonly manifest: Readonly<Record<string, unknown>>;
  readonly name: string;
  readonly published: boolean;
}

/** A rule: which packages it is for, a one-line summary (docs/packaging.md), and its check. */
export interface Rule {
  readonly appliesTo: "all" | "published";
  readonly summary: string;
  readonly check: (p: Pkg, ws: Workspace) => readonly string[];
}

/** The exact `files` of a published package: the build, without tsc's incremental state. */
export const PUBLISHED_FILES = ["dist", "!dist/*.tsbuildinfo"] as const;
/** The fp-ts range published packages ask of their users. */
export const FP_TS_PEER = "^2.16.0";
/** The fast-check range of the `/testing` entry points (an optional peer). */
export const FAST_CHECK_PEER = "^4.0.0";

type Obj = Readonly<Record<string, unknown>>;
const isObj = (u: unknown): u is Obj => typeof u === "object" && u !== null && !Array.isArray(u);
const obj = (u: unknown): Obj => (isObj(u) ? u : {});
const json = (u: unknown): string => JSON.stringify(u);
const deps = (p: Pkg, field: "dependencies" | "peerDependencies" | "devDependencies"): Obj => obj(p.manifest[field]);
const dtdDeps = (p: Pkg, fields: readonly ("dependencies" | "devDependencies")[]): string[] =>
  [...new Set(fields.flatMap((f) => Object.keys(deps(p, f))))].filter((d) => d.startsWith("@dtd/") && d !== p.name);
const dirOf = (name: string): string => name.slice("@dtd/".length);
const sameSet = (a: readonly string[], b: readonly string[]): boolean => isDeepStrictEqual([...a].sort(), [...b].sort());

/**
 * The condition under which the workspace's own exports resolve to dist/ instead of src/: `pnpm dtd` runs the
 * built CLI with `node --conditions=dtd-dist`, so that its @dtd imports load built JavaScript too. Everything
 * else (vitest, tsx, Vite, tsc) ignores it and takes "default", the TypeScript source.
 */
export const DIST_CONDITION = "dtd-dist";

/** The workspace's export target of module `<x>` (a path under src/, without `.ts`). */
export const workspaceTarget = (x: string): Obj => ({ [DIST_CONDITION]: `./dist/${x}.js`, default: `./src/${x}.ts` });

/** The module `<x>` of a workspace export target `{ "dtd-dist": "./dist/<x>.js", default: "./src/<x>.ts" }`, else undefined. */
export const sourceModule = (target: unknown): string | undefined => {
  const src = isObj(target) && typeof target["default"] === "string" ? /^\.\/src\/(.+)\.ts$/.exec(target["default"]) : null;
  return src !== null && isDeepStrictEqual(target, workspaceTarget(src[1]!)) ? src[1] : undefined;
};

/**
 * A platform-conditional export: Node's module under the "node" condition, the browser's (and every other
 * resolver's) under "default" — one import for both platforms, e.g. @dtd/parallel's worker threads and Web
 * Workers. Each side is a workspace target.
 */
export const platformTarget = (node: string, other: string): Obj => ({ node: workspaceTarget(node), default: workspaceTarget(other) });

/** The modules { node, other } of a platform-conditional target, else undefined. */
export const platformModules = (target: unknown): { readonly node: string; readonly other: string } | undefined => {
  if (!isObj(target) || !sameSet(Object.keys(target), ["node", "default"])) return undefined;
  const node = sourceModule(target["node"]);
  const other = sourceModule(target["default"]);
  return node === undefined || other === undefined ? undefined : { node, other };
};

const published = (x: string): Obj => ({ types: `./dist/${x}.d.ts`, default: `./dist/${x}.js` });

/** Where an export is published: `{ types: "./dist/<x>.d.ts", default: "./dist/<x>.js" }` (per condition for a platform target); null stays null. */
export const publishedTarget = (target: unknown): unknown => {
  if (target === null) return null;
  const x = sourceModule(target);
  if (x !== undefined) return published(x);
  const p = platformModules(target);
  return p === undefined ? undefined : { node: published(p.node), default: published(p.other) };
};

/** The publishConfig.exports that the workspace's exports map implies. */
export const publishedExports = (exports: unknown): Obj => Object.fromEntries(Object.entries(obj(exports)).map(([k, v]) => [k, publishedTarget(v)]));

/** The README's `## Install` section: its first ```sh block and the example block after it. */
export interface InstallSection {
  readonly install: string | undefined;
  readonly example: { readonly lang: "js" | "sh"; readonly code: string } | undefined;
  /** A ```text block right after the example: its exact standard output. */
  readonly output: string | undefined;
}

const isExampleLang = (lang: string): lang is "js" | "sh" => lang === "js" || lang === "sh";

/** Finds the `## Install` section of a README (up to the next `## ` heading). */
export const installSection = (readme: string): InstallSection | undefined => {
  const start = readme.search(/^## Install\b/m);
  if (start < 0) return undefined;
  const rest = readme.slice(start + 1);
  const end = rest.search(/^## /m);
  const body = end < 0 ? rest : rest.slice(0, end);
  const blocks = [...body.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1]!, code: m[2]! }));
  const install = blocks.find((b) => b.lang === "sh");
  const afterInstall = install === undefined ? [] : blocks.slice(blocks.indexOf(install) + 1);
  const ex = afterInstall[0];
  const example = ex !== undefined && isExampleLang(ex.lang) ? { lang: ex.lang, code: ex.code } : undefined;
  const out = afterInstall[1];
  return { install: install?.code, example, output: example !== undefined && out?.lang === "text" ? out.code : undefined };
};

const references = (file: JsonFile): string[] | undefined => {
  if (file._tag !== "Json") return undefined;
  const refs = obj(file.value)["references"];
  return Array.isArray(refs) ? refs.map((r) => String(obj(r)["path"])) : [];
};

const fileProblem = (file: JsonFile, name: string, hint: string): string[] =>
  file._tag === "Missing" ? [`${name} is missing: add it (${hint})`] : file._tag === "Invalid" ? [`${name} is not valid JSON: ${file.error}`] : [];


/** Every rule, keyed by id: a rule without a check does not compile. */
export const rules: { readonly [R in RuleId]: Rule } = {
  manifest: {
    appliesTo: "all",
    summary: 'package.json: name "@dtd/<directory>", a semver version, "type": "module", a description',
    check: (p) => [
      ...(p.name === `@dtd/${p.dir}` ? [] : [`package.json "name" must be "@dtd/${p.dir}" (the directory's name), found ${json(p.manifest["name"])}`]),
      ...(typeof p.manifest["version"] === "string" && /^\d+\.\d+\.\d+(-[\w.]+)?$/.test(p.manifest["version"]) ? [] : [`package.json "version" must be a semver version such as "0.1.0", found ${json(p.manifest["version"])}`]),
      ...(p.manifest["type"] === "module" ? [] : [`package.json must say "type": "module" (ESM only), found ${json(p.manifest["type"])}`]),
      ...(typeof p.manifest["description"] === "string" && p.manifest["description"] !== "" ? [] : ['package.json needs a "description" (one line: what the package is)']),
    ],
  },
  exports: {
    appliesTo: "all",
    summary: `exports: "." → ${json(workspaceTarget("index"))}, every entry named (no "*": each public module on purpose) and { "${DIST_CONDITION}": "./dist/<x>.js", "default": "./src/<x>.ts" } or null (or { "node": <entry>, "default": <entry> }: Node's module and the browser's)`,
    check: (p) => {
      const exports = p.manifest["exports"];
      if (exports === undefined && !p.published) return [];
      const example = json({ ".": workspaceTarget("index"), "./testing": workspaceTarget("testing/index") });
      if (!isObj(exports)) return [`package.json needs an "exports" object, e.g. ${example}; found ${json(exports)}`];
      return [
        ...(isDeepStrictEqual(exports["."], workspaceTarget("index")) || platformModules(exports["."])?.other === "index"
          ? []
          : [`"exports" must map "." to ${json(workspaceTarget("index"))} (the workspace develops against the sources; \`node --conditions=${DIST_CONDITION}\` runs the build), or to ${json(platformTarget("<node module>", "index"))}, found ${json(exports["."])}`]),
        ...(p.hasSrcIndex ? [] : ["src/index.ts is missing: add the package's curated entry point"]),
        ...Object.entries(exports)
          .filter(([, v]) => v !== null && sourceModule(v) === undefined && platformModules(v) === undefined)
          .map(([k, v]) => `"exports" entry ${json(k)} must be { "${DIST_CONDITION}": "./dist/<x>.js", "default": "./src/<x>.ts" } (or null, or { "node": <that>, "default": <that> } for a platform's module), found ${json(v)}`),
        ...Object.entries(exports)
          .filter(([k, v]) => k.includes("*") && v !== null)
          .map(([k]) => `"exports" entry ${json(k)} makes every matching file public: name each entry point instead (e.g. "./testing"), so every public module is there on purpose`),
      ];
    },
  },
  workspaceRanges: {
    appliesTo: "all",
    summary: 'every @dtd/* dependency is "workspace:^" (published as ^<version>)',
    check: (p) =>
      (["dependencies", "peerDependencies", "devDependencies"] as const).flatMap((f) =>
        Object.entries(deps(p, f))
          .filter(([k, v]) => k.startsWith("@dtd/") && v !== "workspace:^")
          .map(([k, v]) => `${f}: "${k}" must be "workspace:^" (pnpm pack turns it into ^<version>), found ${json(v)}`),
      ),
  },
  importsDeclared: {
    appliesTo: "all",
    summary: "every package src/ imports is declared in dependencies or peerDependencies (a private package's devDependencies count too)",
    check: (p) => {
      const fields = p.published ? (["dependencies", "peerDependencies"] as const) : (["dependencies", "peerDependencies", "devDependencies"] as const);
      const declared = new Set([p.name, ...fields.flatMap((f) => Object.keys(deps(p, f)))]);
      return [...p.srcImports]
        .filter((i) => !declared.has(i))
        .sort()
        .map((i) => `src/ imports "${i}" but package.json does not declare it: add it to "dependencies"${i === "fp-ts" || i === "fast-check" ? ' (or "peerDependencies": see the peers rule)' : ""}`);
    },
  },
  readme: {
    appliesTo: "all",
    summary: "README.md starting with `# @dtd/<directory>`",
    check: (p) =>
      p.readme === undefined ? [`README.md is missing: add one starting with "# ${p.name}"`] : p.readme.startsWith(`# ${p.name}`) ? [] : [`README.md must start with the heading "# ${p.name}"`],
  },
  tsconfigBuild: {
    appliesTo: "all",
    summary: 'tsconfig.build.json extends ../../tsconfig.build.base.json (src → dist) and references the build of each @dtd dependency',
    check: (p) => {
      const missing = fileProblem(p.tsconfigBuild, "tsconfig.build.json", 'src → dist: { "extends": "../../tsconfig.build.base.json", "references": [{ "path": "../<dep>/tsconfig.build.json" }, …] }');
      if (missing.length > 0 || p.tsconfigBuild._tag !== "Json") return missing;
      const cfg = obj(p.tsconfigBuild.value);
      const options = obj(cfg["compilerOptions"]);
      const want = dtdDeps(p, ["dependencies"]).map((d) => `../${dirOf(d)}/tsconfig.build.json`);
      const have = references(p.tsconfigBuild) ?? [];
      const fixed = ["rootDir", "outDir", "tsBuildInfoFile", "emitDeclarationOnly", "declaration", "sourceMap"].filter((o) => o in options);
      return [
        ...(cfg["extends"] === "../../tsconfig.build.base.json" ? [] : [`tsconfig.build.json must "extends": "../../tsconfig.build.base.json", found ${json(cfg["extends"])}`]),
        ...("include" in cfg || "files" in cfg ? ['tsconfig.build.json must not set "include" or "files" (the base compiles src/)'] : []),
        ...(p.published && fixed.length > 0 ? [`tsconfig.build.json of a published package must not override ${fixed.join(", ")} (the base emits dist/ with .d.ts and source maps)`] : []),
        ...(sameSet(have, want) ? [] : [`tsconfig.build.json "references" must be the builds of the @dtd dependencies: ${json(want.map((path) => ({ path })))}, found ${json(have.map((path) => ({ path })))}`]),
      ];
    },
  },
  tsconfigTest: {
    appliesTo: "all",
    summary: 'tsconfig.json (the tests) extends ../../tsconfig.base.json, includes test/ (not src/), references ./tsconfig.build.json and every @dtd dependency\'s build',
    check: (p) => {
      const missing = fileProblem(p.tsconfig, "tsconfig.json", '{ "extends": "../../tsconfig.base.json", "include": ["test"], "references": [{ "path": "./tsconfig.build.json" }, …] }');
      if (missing.length > 0 || p.tsconfig._tag !== "Json") return missing;
      const cfg = obj(p.tsconfig.value);
      const have = new Set(references(p.tsconfig));
      const want = ["./tsconfig.build.json", ...dtdDeps(p, ["dependencies", "devDependencies"]).map((d) => `../${dirOf(d)}/tsconfig.build.json`)];
      const absent = want.filter((w) => !have.has(w));
      return [
        ...(cfg["extends"] === "../../tsconfig.base.json" ? [] : [`tsconfig.json must "extends": "../../tsconfig.base.json", found ${json(cfg["extends"])}`]),
        ...(Array.isArray(cfg["include"]) && cfg["include"].includes("test") && !cfg["include"].includes("src")
          ? []
          : [`tsconfig.json must "include": ["test"] (and other Node-side folders such as "scripts", never "src": src/ is tsconfig.build.json's), found ${json(cfg["include"])}`]),
        ...(absent.length === 0 ? [] : [`tsconfig.json "references" lacks ${json(absent.map((path) => ({ path })))}`]),
      ];
    },
  },
  solution: {
    appliesTo: "all",
    summary: "the root tsconfig.json references packages/<dir>, the root tsconfig.build.json its tsconfig.build.json",
    check: (p, ws) => [
      ...((references(ws.rootTsconfig) ?? []).includes(`packages/${p.dir}`) ? [] : [`the root tsconfig.json must reference it: add { "path": "packages/${p.dir}" } to "references"`]),
      ...((references(ws.rootTsconfigBuild) ?? []).includes(`packages/${p.dir}/tsconfig.build.json`)
        ? []
        : [`the root tsconfig.build.json must reference its build: add { "path": "packages/${p.dir}/tsconfig.build.json" } to "references"`]),
    ],
  },
  publishedFiles: {
    appliesTo: "published",
    summary: `"files": ${json(PUBLISHED_FILES)} (README.md and package.json are always packed), then, for a package with an "install" script (a native addon compiled on the user's machine), the sources that script builds from`,
    check: (p) => {
      const files = p.manifest["files"];
      const install = obj(p.manifest["scripts"])["install"] !== undefined;
      const head = Array.isArray(files) ? files.slice(0, PUBLISHED_FILES.length) : files;
      const extra = Array.isArray(files) ? files.slice(PUBLISHED_FILES.length) : [];
      if (!isDeepStrictEqual(head, PUBLISHED_FILES) || (!install && extra.length > 0))
        return [`package.json "files" must be ${json(PUBLISHED_FILES)}${install ? " followed by the install script's sources" : ""}, found ${json(files)}`];
      return extra.some((f) => typeof f !== "string" || f.startsWith("dist")) ? [`package.json "files": entries after ${json(PUBLISHED_FILES)} name the install script's sources, outside dist/, found ${json(extra)}`] : [];
    },
  },
  publishedExports: {
    appliesTo: "published",
    summary: 'publishConfig: { access: "public", exports: each "./src/<x>.ts" as { types: "./dist/<x>.d.ts", default: "./dist/<x>.js" }, types: "./dist/index.d.ts" }',
    check: (p) => {
      const pc = obj(p.manifest["publishConfig"]);
      const want = publishedExports(p.manifest["exports"]);
      return [
        ...(pc["access"] === "public" ? [] : [`publishConfig.access must be "public" (a scoped package is private on the registry otherwise), found ${json(pc["access"])}`]),
        ...(isDeepStrictEqual(pc["exports"], want) ? [] : [`publishConfig.exports must mirror "exports" on dist/: ${json(want)}, found ${json(pc["exports"])}`]),
        ...(pc["types"] === "./dist/index.d.ts" ? [] : [`publishConfig.types must be "./dist/index.d.ts" (for resolvers that ignore "exports"), found ${json(pc["types"])}`]),
      ];
    },
  },
  publishedDeps: {
    appliesTo: "published",
    summary: "a published package depends on no private package",
    check: (p, ws) => {
      const priv = new Set(
        ws.packages.flatMap((q) => (q.packageJson._tag === "Json" && obj(q.packageJson.value)["private"] === true ? [String(obj(q.packageJson.value)["name"])] : [])),
      );
      return dtdDeps(p, ["dependencies"]).filter((d) => priv.has(d)).map((d) => `"${d}" is private: a published package cannot depend on it (move it to devDependencies or publish it)`);
    },
  },
  engines: {
    appliesTo: "published",
    summary: 'engines: { node: ">=20" }',
    check: (p) => (obj(p.manifest["engines"])["node"] === ">=20" ? [] : [`package.json needs "engines": { "node": ">=20" }, found ${json(p.manifest["engines"])}`]),
  },
  peers: {
    appliesTo: "published",
    summary: `fp-ts (if imported) is a peer "${FP_TS_PEER}" — a dependency only for a package with a bin —, fast-check an optional peer "${FAST_CHECK_PEER}"; both pinned in devDependencies`,
    check: (p) => {
      const out: string[] = [];
      const peer = deps(p, "peerDependencies");
      const dep = deps(p, "dependencies");
      const dev = deps(p, "devDependencies");
      const app = p.manifest["bin"] !== undefined;
      if (p.srcImports.has("fp-ts") && !app) {
        if ("fp-ts" in dep) out.push('"fp-ts" must be a peer dependency, not a dependency: users unwrap its Either, so they need the same copy — move it to "peerDependencies"');
        if (peer["fp-ts"] !== FP_TS_PEER) out.push(`peerDependencies must have "fp-ts": "${FP_TS_PEER}", found ${json(peer["fp-ts"])}`);
        if (!("fp-ts" in dev)) out.push('devDependencies must pin "fp-ts" (e.g. "2.16.11") for the workspace');
      }
      if (p.srcImports.has("fast-check")) {
        if (peer["fast-check"] !== FAST_CHECK_PEER) out.push(`peerDependencies must have "fast-check": "${FAST_CHECK_PEER}" (only the /testing entry point needs it), found ${json(peer["fast-check"])}`);
        if (obj(obj(p.manifest["peerDependenciesMeta"])["fast-check"])["optional"] !== true) out.push('peerDependenciesMeta must have "fast-check": { "optional": true }');
        if (!("fast-check" in dev)) out.push('devDependencies must pin "fast-check" for the workspace');
      }
      return out;
    },
  },
  bin: {
    appliesTo: "published",
    summary: 'each bin is "./dist/<x>.js", built from src/<x>.ts whose first line is "#!/usr/bin/env node"',
    check: (p) =>
      Object.entries(obj(p.manifest["bin"])).flatMap(([name, target]) => {
        const m = typeof target === "string" ? /^\.\/dist\/(.+)\.js$/.exec(target) : null;
        if (m === null) return [`bin "${name}" must point at the built file "./dist/<x>.js", found ${json(target)}`];
        return p.executables.has(m[1]!) ? [] : [`bin "${name}": src/${m[1]}.ts must exist and start with "#!/usr/bin/env node"`];
      }),
  },
  readmeInstall: {
    appliesTo: "published",
    summary: 'README.md has an "## Install" section: a sh block "npm install <name> <required peers>", then a runnable js (or sh) example, optionally followed by a text block with its exact output (the pack-and-install test runs it)',
    check: (p) => {
      const s = p.readme === undefined ? undefined : installSection(p.readme);
      if (s === undefined) return ['README.md needs a "## Install" section: a ```sh block with "npm install …", then a runnable ```js example'];
      const line = s.install?.split("\n")[0] ?? "";
      const peers = Object.keys(deps(p, "peerDependencies")).filter((k) => obj(obj(p.manifest["peerDependenciesMeta"])[k])["optional"] !== true);
      const words = line.split(/\s+/);
      const needed = [p.name, ...peers].filter((w) => !words.includes(w));
      return [
        ...(line.startsWith("npm install ") ? [] : ['the "## Install" section must start with a ```sh block whose first line is "npm install …"']),
        ...(needed.length === 0 ? [] : [`the install line must name ${needed.map((n) => `"${n}"`).join(", ")}: "npm install ${[p.name, ...peers].join(" ")}"`]),
        ...(s.example !== undefined ? [] : ['the "## Install" section needs a runnable example after the install line: a ```js block (run with node as an .mjs file) or a ```sh block']),
      ];
    },
  },
};

/** The ids in the order rules are checked and documented. */
export const ruleIds = Object.keys(rules) as RuleId[];

/** The problems of one directory (a package.json that cannot be read stops the other rules). */
export const problemsOf = (d: PackageDir, ws: Workspace): Problem[] => {
  const at = (rule: RuleId) => (message: string): Problem => ({ dir: d.dir, rule, message });
  const m = d.packageJson;
  if (m._tag === "Missing") return [at("manifest")(`package.json is missing: every directory under packages/ is a package (add one with "name": "@dtd/${d.dir}")`)];
  if (m._tag === "Invalid") return [at("manifest")(`package.json is not valid JSON: ${m.error}`)];
  if (!isObj(m.value)) return [at("manifest")(`package.json must hold an object, found ${json(m.value)}`)];
  const p: Pkg = { ...d, manifest: m.value, name: String(m.value["name"]), published: m.value["private"] !== true };
  return ruleIds.filter((id) => rules[id].appliesTo === "all" || p.published).flatMap((id) => rules[id].check(p, ws).map(at(id)));
};

/** The problems of every directory under packages/. */
export const problems = (ws: Workspace): Problem[] => ws.packages.flatMap((d) => problemsOf(d, ws));

/** A problem as one line: `packages/<dir> [rule]: message`. */
export const formatProblem = (p: Problem): string => `packages/${p.dir} [${p.rule}]: ${p.message}`;
