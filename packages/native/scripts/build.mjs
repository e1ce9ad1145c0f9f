#!/usr/bin/env node
/*
 * Builds @dtd/native's addon, build/dtd_native.node, with the C compiler (`$CC`, default `cc`) and the Node-API
 * headers of the pinned `node-api-headers` package (Node's own include directory if that package is missing).
 * Runs as the package's `install` script (pnpm runs it for workspace packages on `pnpm install`, npm for an
 * installed package) and by hand: `pnpm --filter @dtd/native build`. No download: only the local compiler.
 *
 * Files listed in PER_ISA are compiled once per instruction set with -DDTD_ISA_<SET> and the set's flags (x86-64:
 * baseline, AVX2 + FMA, AVX-512); every other src/*.c once, with baseline flags. addon.c picks the set at run
 * time from the CPU's features.
 *
 * A failed build does not fail the install (the kernels are optional: @dtd/tensor runs without them): it prints
 * why and exits 0, unless DTD_REQUIRE_NATIVE=1, where it exits 1. loadNative() then reports "not built".
 *
 * `--if-stale` builds only when the addon is missing or older than a file of src/ or this script: the repository's
 * `pnpm test` runs it first, because `pnpm install` builds once and an edited kernel would otherwise be tested in
 * its old, compiled form.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, renameSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const src = join(root, "src");
const out = join(root, "build");
const target = join(out, "dtd_native.node");
const required = process.env["DTD_REQUIRE_NATIVE"] === "1";

/** Compiled once per instruction set. */
const PER_ISA = ["gemm.c", "conv.c"];

const isas =
  process.arch === "x64"
    ? [
        { name: "generic", flags: [] },
        { name: "avx2", flags: ["-DDTD_ISA_AVX2", "-mavx2", "-mfma"] },
        { name: "avx512", flags: ["-DDTD_ISA_AVX512", "-mavx512f", "-mavx512vl", "-mavx2", "-mfma"] },
      ]
    : [{ name: "generic", flags: [] }];

const fail = (why) => {
  console.error(`@dtd/native: not built (${why}); @dtd/tensor uses its WebAssembly/JavaScript kernels instead.`);
  process.exit(required ? 1 : 0);
};

const headers = () => {
  try {
    const pkg = createRequire(import.meta.url).resolve("node-api-headers/package.json");
    const dir = join(dirname(pkg), "include");
    if (existsSync(join(dir, "node_api.h"))) return dir;
  } catch {
    // fall through to Node's own headers
  }
  const own = join(dirname(process.execPath), "..", "include", "node");
  return existsSync(join(own, "node_api.h")) ? own : undefined;
};

if (process.argv.includes("--if-stale") && existsSync(target)) {
  const built = statSync(target).mtimeMs;
  const inputs = [fileURLToPath(import.meta.url), ...readdirSync(src).filter((f) => /\.[ch]$/.test(f)).map((f) => join(src, f))];
  if (inputs.every((f) => statSync(f).mtimeMs <= built)) process.exit(0);
}
if (process.platform === "win32") fail("the build script does not support Windows");
const include = headers();
if (include === undefined) fail("no Node-API headers: neither the node-api-headers package nor Node's include/node");

const cc = process.env["CC"] ?? "cc";
// Warnings are errors where the build is required (CI), not on a user's machine, whose compiler may warn differently.
const common = ["-O3", "-std=gnu11", "-fPIC", "-ffp-contract=fast", "-fno-math-errno", "-Wall", "-Wextra", ...(required ? ["-Werror"] : []), `-I${include}`];
mkdirSync(join(out, "obj"), { recursive: true });

const run = (args) => {
  try {
    execFileSync(cc, args, { stdio: ["ignore", "inherit", "inherit"] });
  } catch (e) {
    fail(`${cc} ${args.join(" ")}: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
  }
};

const objects = [];
for (const file of readdirSync(src).filter((f) => f.endsWith(".c")).sort()) {
  const variants = PER_ISA.includes(file) ? isas : [{ name: "", flags: [] }];
  for (const v of variants) {
    const obj = join(out, "obj", `${file.slice(0, -2)}${v.name === "" ? "" : `.${v.name}`}.o`);
    run([...common, ...v.flags, "-c", join(src, file), "-o", obj]);
    objects.push(obj);
  }
}
const link = process.platform === "darwin" ? ["-undefined", "dynamic_lookup"] : [];
// Linked to a temporary name and renamed, so that a process loading the addon never sees half a file.
run(["-shared", ...link, "-o", `${target}.tmp`, ...objects]);
renameSync(`${target}.tmp`, target);
console.log(`@dtd/native: built ${target}`);
