#!/usr/bin/env node
// @ts-check
/**
 * The CLI's fast path: bundles a `dtd` program and the worker modules its pool spawns into a few ES modules
 * (esbuild), because Node loads one file much faster than the ~290 modules of the libraries (0.3 s of CPU on the
 * main thread and ~0.2 s per worker, against ~0.1 s and ~0.05 s bundled: docs/performance.md, "Every core").
 *
 * Bundled from the TypeScript sources (the same code `tsc -b` emits to dist/): the program code-split, so that
 * a command's modules load only when it runs, and each worker module a single file. Everything of the workspace
 * is inside; left outside are what the program imports only when asked (TF.js, a peer dependency) and
 * @dtd/native's addon, which @dtd/native finds through its package (load.ts). The layout is fixed: `<out>/dtd.js`, the CLI's worker `<out>/worker.js` (found from the
 * bundled `batch/run.ts` as `./worker.js`) and @dtd/parallel's own worker `<out>/internal/nodeWorker.js` (found
 * from the bundled `nodePlatform.ts` as `./internal/nodeWorker.js`).
 *
 * Usage: node packages/cli/scripts/bundle.mjs cli|examples [--out <dir>] [--force]  (rebuilds only when a source changed)
 *   cli:      packages/cli/src/start.ts → packages/cli/dist/bundle/ (what @dtd/cli's `dtd` runs, and publishes)
 *   examples: packages/examples/src/bin.ts → packages/examples/dist/bundle/ (what `pnpm dtd` and `pnpm demo` run)
 */
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const packages = fileURLToPath(new URL("../../", import.meta.url));

/** The programs: their entry and where their bundle goes by default. */
const programs = {
  cli: { main: join(packages, "cli/src/start.ts"), out: join(packages, "cli/dist/bundle") },
  examples: { main: join(packages, "examples/src/bin.ts"), out: join(packages, "examples/dist/bundle") },
};

/**
 * ES modules that esbuild turns CommonJS into (fp-ts, pngjs, protobufjs, cli-progress) call `require` for Node's
 * own modules: give every output file one.
 */
const banner = 'import { createRequire as __dtdCreateRequire } from "node:module";\nconst require = __dtdCreateRequire(import.meta.url);';

const script = fileURLToPath(import.meta.url);

/**
 * Where the list of what the bundle in `out` was built from is kept (paths relative to packages/): outside the
 * bundle, which @dtd/cli publishes (dist/bundle/), in the package's node_modules/.cache.
 */
const stampOf = (/** @type {string} */ out) => join(packages, "cli", "node_modules", ".cache", "dtd-bundle", `${encodeURIComponent(relative(packages, out))}.json`);

/** Whether the bundle in `out` was built after every file it was built from (and after this script) last changed. */
const fresh = (/** @type {string} */ out) => {
  try {
    const stamp = stampOf(out);
    const built = statSync(stamp).mtimeMs;
    /** @type {{ inputs: string[] }} */
    const list = JSON.parse(readFileSync(stamp, "utf8"));
    return existsSync(join(out, "dtd.js")) && [script, ...list.inputs.map((f) => resolve(packages, f))].every((f) => statSync(f).mtimeMs < built);
  } catch {
    return false;
  }
};

/**
 * Bundles `program` ("cli" or "examples") into `out`, unless the bundle there is fresh (`force` rebuilds). The
 * bundle is built in a folder of its own and then put in place, so that a program running from the old one (a
 * test running `pnpm dtd` while another rebuilds it) is not left with half a folder. Resolves with whether it
 * was built.
 * @param {{ program: keyof typeof programs; out?: string; force?: boolean }} o
 */
export const bundle = async (o) => {
  const p = programs[o.program];
  const out = o.out ?? p.out;
  if (o.force !== true && fresh(out)) return false;
  const tmp = `${out}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const common = /** @type {const} */ ({
    absWorkingDir: packages,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    conditions: ["node"],
    external: ["@tensorflow/*"],
    banner: { js: banner },
    legalComments: "none",
    metafile: true,
    logLevel: "warning",
  });
  // The program code-split, so that a command's modules load only when it runs; each worker module one file
  // (~40 ms of CPU to load where its share of the program's chunks, 18 files, took ~65 ms: a worker runs one job).
  const results = await Promise.all([
    build({ ...common, entryPoints: [{ in: p.main, out: "dtd" }], outdir: tmp, splitting: true, chunkNames: "[name]-[hash]" }),
    build({ ...common, entryPoints: [{ in: join(packages, "cli/src/batch/worker.ts"), out: "worker" }], outdir: tmp }),
    build({ ...common, entryPoints: [{ in: join(packages, "parallel/src/internal/nodeWorker.ts"), out: "internal/nodeWorker" }], outdir: tmp }),
  ]);
  const inputs = [...new Set(results.flatMap((r) => Object.keys(r.metafile.inputs)))].map((f) => relative(packages, resolve(packages, f)));
  const old = `${out}.old-${process.pid}`;
  if (existsSync(out)) renameSync(out, old);
  renameSync(tmp, out);
  rmSync(old, { recursive: true, force: true });
  const stamp = stampOf(out);
  mkdirSync(dirname(stamp), { recursive: true });
  writeFileSync(stamp, `${JSON.stringify({ inputs }, null, 1)}\n`);
  return true;
};

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [program, ...rest] = process.argv.slice(2);
  const at = rest.indexOf("--out");
  const dir = at < 0 ? undefined : rest[at + 1];
  if ((program !== "cli" && program !== "examples") || (at >= 0 && dir === undefined)) {
    process.stderr.write("usage: bundle.mjs cli|examples [--out <dir>] [--force]\n");
    process.exit(2);
  }
  await bundle({ program, force: rest.includes("--force"), ...(dir === undefined ? {} : { out: resolve(dir) }) });
}
