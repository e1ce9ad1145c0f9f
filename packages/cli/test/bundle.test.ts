/**
 * The CLI's bundle (scripts/bundle.mjs: what the installed `dtd` and `pnpm dtd` run, for their start-up time):
 * run with plain node from a folder of its own, it finds its worker module and @dtd/native's addon, and writes
 * the bytes the modules it bundles write (a folder and a .npy on two workers, against the sources run by tsx).
 */
import { execFile, execFileSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import { defaultAddonPath } from "@dtd/native";
import { encodeNpy } from "../src/batch/npy.ts";
import { ROOT, type Ran, runDtd, writeFiles } from "./cliFixtures.ts";

const execFileAsync = promisify(execFile);
const CLI = join(ROOT, "packages", "cli");
/** Inside the package (so that Node resolves @dtd/native and @dtd/cli from it, as from dist/bundle/), not in dist/. */
const OUT = join(CLI, "node_modules", ".cache", `dtd-bundle-test-${process.pid}`);

const bundled = async (args: readonly string[]): Promise<Ran> => {
  try {
    const r = await execFileAsync(process.execPath, [join(OUT, "dtd.js"), ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, FORCE_COLOR: "0" } });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (u) {
    const e = u as { code?: unknown; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
};

const D = 20;
const rng = T.Random.make(7);
const rows = Array.from({ length: 30 }, () => Array.from({ length: D }, () => rng.next()));
const model = {
  format: "dtd-model",
  version: 1,
  inputShape: [D],
  layers: [
    { type: "dense", weight: Array.from({ length: D }, () => Array.from({ length: 12 }, () => T.Random.normal(rng) * 0.3)), bias: Array.from({ length: 12 }, () => -0.05) },
    { type: "relu" },
    { type: "sumPool" },
  ],
};

beforeAll(() => {
  execFileSync(process.execPath, [join(CLI, "scripts", "bundle.mjs"), "cli", "--out", OUT, "--force"], { encoding: "utf8", stdio: "pipe" });
}, 120_000);
afterAll(() => rmSync(OUT, { recursive: true, force: true }));

describe("the bundled dtd", () => {
  const files = writeFiles({
    "net.json": model,
    "x.npy": encodeNpy(Float64Array.from(rows.flat()), [rows.length, D]),
    "x0.json": rows[0],
  });
  const explain = ["explain", "--model", files["net.json"]!, "--first-rule", "zb", "--rule", "zplus", "--low", "0", "--high", "1"];

  test("is a few files: the program, the CLI's worker, the pool's own worker", () => {
    for (const f of ["dtd.js", "worker.js", join("internal", "nodeWorker.js")]) expect(existsSync(join(OUT, f)), f).toBe(true);
  });

  test("explains a .npy on two workers: the same bytes as the modules it bundles", { timeout: 120_000 }, async () => {
    const b = join(files.dir!, "bundled.jsonl");
    const u = join(files.dir!, "sources.jsonl");
    const [rb, ru] = await Promise.all([bundled([...explain, "--input", files["x.npy"]!, "--workers", "2", "--batch-size", "7", "--out", b]), runDtd([...explain, "--input", files["x.npy"]!, "--workers", "2", "--batch-size", "7", "--out", u])]);
    expect(rb.code, rb.stderr).toBe(0);
    expect(ru.code, ru.stderr).toBe(0);
    expect(rb.stderr).toContain("on 2 workers, batches of 7");
    expect(readFileSync(b, "utf8").split("\n")).toHaveLength(rows.length + 1);
    expect(readFileSync(b)).toEqual(readFileSync(u));
    expect(rb.stdout.replace(/in [\d.]+ s \([\d.]+\/s\)/, "")).toBe(ru.stdout.replace(/in [\d.]+ s \([\d.]+\/s\)/, "").replaceAll("sources.jsonl", "bundled.jsonl"));
  });

  test("finds @dtd/native's addon through the package (--kernels native), or says where it expected it", { timeout: 60_000 }, async () => {
    const r = await bundled(["--kernels", "native", ...explain, "--input", files["x0.json"]!, "--json"]);
    if (existsSync(defaultAddonPath)) expect(r.code, r.stderr).toBe(0);
    else expect(r.stderr).toContain(`expected ${defaultAddonPath}`);
  });

  test("--version is @dtd/cli's", async () => {
    const pkg = JSON.parse(readFileSync(join(CLI, "package.json"), "utf8")) as { version: string };
    expect((await bundled(["--version"])).stdout).toBe(`dtd ${pkg.version}\n`);
  });
});
