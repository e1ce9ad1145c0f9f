/**
 * `dtd explain` over many inputs (a .jsonl, a .npy, a folder): records in input order, bit for bit those of
 * `dtd explain --json` at --batch-size 1 and the same bytes whatever the number of workers; each input's own
 * error; pictures; --resume after a killed run (the real process, killed with SIGKILL) gives the bytes of an
 * uninterrupted run; shards explained by two processes at once and merged with `dtd merge` give them too.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import * as Png from "@dtd/viz/png";
import { memoryIo, run } from "../src/index.ts";
import { encodeNpy, parseHeader, readNpy } from "../src/batch/npy.ts";
import { startEarly, takeEarly } from "../src/batch/early.ts";
import { BIN, imageModel, ROOT, runDtd, writeFiles } from "./cliFixtures.ts";

const { Random } = T;

/** A d → h ReLU → Σ detection network with b ≤ 0 (version 1 model file), seeded. */
const denseModel = (d: number, h: number, seed: number): object => {
  const rng = Random.make(seed);
  return {
    format: "dtd-model",
    version: 1,
    inputShape: [d],
    layers: [
      { type: "dense", weight: Array.from({ length: d }, () => Array.from({ length: h }, () => Random.normal(rng) * 0.3)), bias: Array.from({ length: h }, () => -Math.abs(Random.normal(rng)) * 0.1) },
      { type: "relu" },
      { type: "sumPool" },
    ],
  };
};

const samples = (n: number, d: number, seed: number): number[][] => {
  const rng = Random.make(seed);
  return Array.from({ length: n }, () => Array.from({ length: d }, () => rng.next()));
};

const jsonl = (rows: readonly (readonly number[])[]): string => rows.map((r) => JSON.stringify(r)).join("\n") + "\n";
const npy = (rows: readonly (readonly number[])[]): Uint8Array => encodeNpy(Float64Array.from(rows.flat()), [rows.length, rows[0]!.length]);

const dtd = async (args: readonly string[]): Promise<{ code: number; out: string; err: string }> => {
  const io = memoryIo();
  const code = await run(args, io);
  return { code, out: io.out(), err: io.err() };
};

const records = (path: string): Record<string, unknown>[] =>
  readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);

const D = 24;
const rows = samples(20, D, 5);

describe("records", () => {
  const files = writeFiles({ "net.json": denseModel(D, 16, 1), "x.jsonl": jsonl(rows), "x.npy": npy(rows), ...Object.fromEntries(rows.slice(0, 5).map((r, i) => [`x${i}.json`, r])) });
  const base = ["explain", "--model", files["net.json"]!, "--first-rule", "zb", "--rule", "zplus", "--low", "0", "--high", "1"];

  test("at --batch-size 1 each record is `dtd explain --json` of its input, after its index; exit 0 and the summary", async () => {
    const out = join(files.dir!, "one.jsonl");
    const r = await dtd([...base, "--input", files["x.jsonl"]!, "--out", out, "--workers", "0", "--batch-size", "1"]);
    expect(r.code, r.err).toBe(0);
    const lines = readFileSync(out, "utf8").split("\n");
    expect(lines).toHaveLength(rows.length + 1);
    for (let i = 0; i < 5; i++) {
      const single = await dtd([...base, "--input", files[`x${i}.json`]!, "--json"]);
      expect(lines[i]).toBe(`{"index":${i},${single.out.trim().slice(1)}`);
    }
    expect(r.out).toMatch(/^ {2}inputs +20: 20 explained, 0 failed$/m);
    expect(r.out).toMatch(/^ {2}consistent +100 % of the explained \(20 of 20: conservative and positive/m);
    expect(r.err).toContain("explaining 20 inputs of");
    expect(r.err).toMatch(/explaining: 50% \(10\/20\), [\d.]+\/s, eta [\d.]+ s/);
  });

  test("the same bytes from a .jsonl and a .npy, in this thread or on 2 workers; a folder's records name their files", async () => {
    const a = join(files.dir!, "a.jsonl");
    const b = join(files.dir!, "b.jsonl");
    expect((await dtd([...base, "--input", files["x.jsonl"]!, "--out", a, "--workers", "0", "--batch-size", "6"])).code).toBe(0);
    const two = await dtd([...base, "--input", files["x.npy"]!, "--out", b, "--workers", "2", "--batch-size", "6"]);
    expect(two.code, two.err).toBe(0);
    expect(two.err).toContain("on 2 workers, batches of 6");
    expect(readFileSync(b, "utf8")).toBe(readFileSync(a, "utf8"));
    const dir = join(files.dir!, "folder");
    mkdirSync(dir);
    rows.slice(0, 6).forEach((r, i) => writeFileSync(join(dir, `s${i}.json`), JSON.stringify(r)));
    const c = join(files.dir!, "c.jsonl");
    expect((await dtd([...base, "--input", dir, "--out", c, "--workers", "0", "--batch-size", "6"])).code).toBe(0);
    const fromFolder = records(c);
    expect(fromFolder.map((x) => x["file"])).toEqual(rows.slice(0, 6).map((_, i) => `s${i}.json`));
    expect(fromFolder.map(({ file: _, ...rest }) => rest)).toEqual(records(a).slice(0, 6));
  });

  test("--workers above the batches' count starts one worker per batch: the same bytes", async () => {
    const a = join(files.dir!, "w0.jsonl");
    const b = join(files.dir!, "w9.jsonl");
    expect((await dtd([...base, "--input", files["x.npy"]!, "--out", a, "--workers", "0", "--batch-size", "6"])).code).toBe(0);
    const nine = await dtd([...base, "--input", files["x.npy"]!, "--out", b, "--workers", "9", "--batch-size", "6"]);
    expect(nine.code, nine.err).toBe(0);
    expect(nine.err).toContain("explaining 20 inputs of");
    expect(nine.err).toContain("on 4 workers, batches of 6");
    expect(readFileSync(b, "utf8")).toBe(readFileSync(a, "utf8"));
  });

  test("each input's own error: a record with the reason, the others explained, exit 1, the failures in the summary; the same on 2 workers", async () => {
    const bad = [...rows.slice(0, 6).map((r) => JSON.stringify(r)), JSON.stringify(rows[0]!.slice(0, 5)), JSON.stringify(rows[1]!.map((v, i) => (i === 2 ? -0.5 : v))), "[1, 2,", ""].join("\n");
    const p = writeFiles({ "bad.jsonl": bad });
    const out = join(p.dir!, "out.jsonl");
    const r = await dtd(["explain", "--model", files["net.json"]!, "--rule", "zplus", "--input", p["bad.jsonl"]!, "--out", out, "--workers", "0", "--batch-size", "4"]);
    expect(r.code).toBe(1);
    const recs = records(out);
    expect(recs.map((x) => x["index"])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(recs.slice(0, 6).every((x) => x["consistent"] === true)).toBe(true);
    expect(recs[6]).toEqual({ index: 6, error: "bad.jsonl:7: expected 24 numbers (input shape [24]), found 5; give one sample, flat or nested", kind: "InvalidInput" });
    expect(recs[7]).toEqual({ index: 7, error: "precondition of rule zplus violated at layer 0 (dense), input unit 2 of sample 7: expected x ≥ 0, found -0.5", kind: "Refused" });
    expect(recs[8]!["kind"]).toBe("InvalidInput");
    expect(String(recs[8]!["error"])).toMatch(/^bad\.jsonl:9: expected JSON, found text that does not parse/);
    expect(r.out).toMatch(/inputs +9: 6 explained, 3 failed \(2 InvalidInput, 1 Refused\)/);
    expect(r.out).toContain("  input 7: precondition of rule zplus violated");
    // The same records when the lines are parsed and explained in 2 worker threads.
    const out2 = join(p.dir!, "out2.jsonl");
    const r2 = await dtd(["explain", "--model", files["net.json"]!, "--rule", "zplus", "--input", p["bad.jsonl"]!, "--out", out2, "--workers", "2", "--batch-size", "4"]);
    expect(r2.code).toBe(1);
    expect(readFileSync(out2, "utf8")).toBe(readFileSync(out, "utf8"));
  });

  test("--png-dir draws each explanation of a folder of PNGs", async () => {
    const dir = writeFiles({ "image.json": imageModel }).dir!;
    const pngs = join(dir, "in");
    mkdirSync(pngs);
    for (let i = 0; i < 3; i++) {
      const rgba = new Uint8ClampedArray(6 * 4 * 4).map((_, k) => (k % 4 === 3 ? 255 : (k * 37 + i * 11) % 256));
      writeFileSync(join(pngs, `p${i}.png`), Png.encodePng({ width: 6, height: 4, data: rgba }));
    }
    writeFileSync(join(pngs, "notes.txt"), "not an input");
    const out = join(dir, "out.jsonl");
    const pics = join(dir, "pics");
    const r = await dtd(["explain", "--model", join(dir, "image.json"), "--rule", "zplus", "--input", pngs, "--out", out, "--png-dir", pics, "--workers", "1"]);
    expect(r.code, r.err).toBe(0);
    expect(records(out).map((x) => x["file"])).toEqual(["p0.png", "p1.png", "p2.png"]);
    expect(readdirSync(pics).sort()).toEqual(["000000.png", "000001.png", "000002.png"]);
    expect(E.isRight(Png.readPng(join(pics, "000001.png")))).toBe(true);
  });

  test("refusals before any work: no --out, one-input flags, baselines, bad counts, many-input flags with one input", async () => {
    const many = ["explain", "--model", files["net.json"]!, "--rule", "zplus", "--input", files["x.jsonl"]!];
    const refused = async (args: readonly string[]): Promise<string> => {
      const r = await dtd(args);
      expect(r.code).toBe(2);
      return r.err.split("\n")[0]!;
    };
    expect(await refused(many)).toBe("dtd explain: explaining many inputs writes JSONL: give --out FILE (one line per input, in input order)");
    expect(await refused([...many, "--out", "o.jsonl", "--json"])).toContain("--json is for one input");
    expect(await refused([...many, "--out", "o.jsonl", "--workers", "two"])).toContain('--workers: expected an integer ≥ 0, found "two"');
    expect(await refused([...many, "--out", "o.jsonl", "--workers", "257"])).toContain('--workers: expected an integer from 0 to 256 (one worker per core is the fastest; each is an engine with its own memory), found "257"');
    expect(await refused([...many, "--out", "o.jsonl", "--batch-size", "0"])).toContain('--batch-size: expected an integer ≥ 1, found "0"');
    expect(await refused([...many, "--out", "o.jsonl", "--method", "sensitivity"])).toContain("many inputs are explained with deep Taylor rules");
    expect(await refused(["explain", "--model", files["net.json"]!, "--rule", "zplus", "--input", files["x0.json"]!, "--workers", "2"])).toContain("--workers: for many inputs");
  });

  test("the workers started from the command line, before the command loads, are taken by the run or stopped when it ends", async () => {
    const many = ["explain", "--model", files["net.json"]!, "--rule", "zplus", "--input", files["x.npy"]!, "--workers", "2"];
    // Refused by the parser, by the command, and --help: `run` started the early workers (a .npy input, 2 workers), none is left.
    for (const args of [[...many, "--out", "o.jsonl", "--bogus"], [...many, "--out", "o.jsonl", "--json"], [...many, "--help"], many]) {
      expect(await dtd(args)).toMatchObject({ code: args.includes("--help") ? 0 : 2 });
      expect(takeEarly()).toBeUndefined();
    }
    // A real process refused at parsing exits at once: no worker keeps it alive.
    const ran = await runDtd([...many, "--out", join(files.dir!, "never.jsonl"), "--bogus"]);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain("Unknown option '--bogus'");
    // A run takes them (started here, as `run` starts them: `run` then starts no others).
    const out = join(files.dir!, "early.jsonl");
    startEarly([...many.slice(1), "--out", out, "--batch-size", "6"]);
    const taken = await dtd([...many, "--out", out, "--batch-size", "6"]);
    expect(taken.code, taken.err).toBe(0);
    expect(taken.err).toContain("on 2 workers");
    expect(takeEarly()).toBeUndefined();
  });

  test(".npy files: the header is read strictly", () => {
    const ok = parseHeader(encodeNpy(new Float32Array(6), [2, 3]));
    expect(E.isRight(ok) && ok.right).toEqual({ dtype: "float32", shape: [2, 3], offset: 128 });
    const text = (h: string): Uint8Array => new Uint8Array([0x93, ...new TextEncoder().encode("NUMPY"), 1, 0, h.length, 0, ...new TextEncoder().encode(h)]);
    expect(parseHeader(text("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }"))).toEqual(E.left("expected little-endian float32 or float64 data ('<f4' or '<f8'), found '<i8'"));
    expect(parseHeader(text("{'descr': '<f8', 'fortran_order': True, 'shape': (2,), }"))).toEqual(E.left("expected an array in C order (fortran_order False), found Fortran order"));
    expect(E.isLeft(parseHeader(new TextEncoder().encode("[1, 2, 3]")))).toBe(true);
    const p = writeFiles({ "short.npy": encodeNpy(new Float64Array(6), [2, 3]).slice(0, 164) });
    expect(readNpy(p["short.npy"]!, { shared: false })).toEqual(E.left(`${p["short.npy"]}: the header declares shape (2, 3) of float64 (48 bytes), but 36 bytes follow it`));
    const a = readNpy(writeFiles({ "a.npy": encodeNpy(Float64Array.of(1, 2.5, -3, 4, 5, 6), [3, 2]) })["a.npy"]!, { shared: true });
    expect(E.isRight(a) && [a.right.shape, Array.from(a.right.data), a.right.data.buffer instanceof SharedArrayBuffer]).toEqual([[3, 2], [1, 2.5, -3, 4, 5, 6], true]);
  });
});

/** Spawns the real `dtd` (tsx), without waiting. */
const start = (args: readonly string[]): ChildProcess => spawn(process.execPath, ["--import", "tsx", BIN, ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });

const finished = (p: ChildProcess): Promise<number | null> => new Promise((resolve) => p.on("exit", (code) => resolve(code)));

describe("beyond one run", () => {
  const big = samples(1200, 200, 9);
  const files = writeFiles({ "net.json": denseModel(200, 64, 2), "x.npy": npy(big), "x.jsonl": jsonl(big), "a.jsonl": jsonl(big.slice(0, 640)), "b.jsonl": jsonl(big.slice(640)) });
  const args = (input: string, out: string, more: readonly string[] = []): string[] => ["explain", "--model", files["net.json"]!, "--rule", "zplus", "--input", input, "--out", out, "--batch-size", "32", ...more];

  test("a run killed with SIGKILL leaves whole records in order; --resume finishes it with the bytes of an uninterrupted run", async () => {
    const full = join(files.dir!, "full.jsonl");
    const whole = await dtd(args(files["x.npy"]!, full, ["--workers", "0"]));
    expect(whole.code, whole.err).toBe(0);
    const expected = readFileSync(full, "utf8");
    const out = join(files.dir!, "killed.jsonl");
    const p = start(args(files["x.npy"]!, out, ["--workers", "2"]));
    const exited = finished(p);
    // Killed as soon as some records are out (no chance to finish, flush or clean up).
    for (let t = 0; t < 600 && !(existsSync(out) && readFileSync(out, "utf8").split("\n").length > 70); t++) await new Promise((r) => setTimeout(r, 25));
    p.kill("SIGKILL");
    expect(await exited).toBeNull();
    const kept = readFileSync(out, "utf8");
    const complete = kept.slice(0, kept.lastIndexOf("\n") + 1);
    expect(complete.split("\n").length - 1).toBeGreaterThan(64);
    expect(complete.split("\n").length - 1).toBeLessThan(big.length);
    expect(expected.startsWith(complete), "the records written are the uninterrupted run's, in order").toBe(true);
    const resumed = await runDtd(args(files["x.npy"]!, out, ["--workers", "2", "--resume"]));
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(readFileSync(out, "utf8")).toBe(expected);
    expect(resumed.stdout).toMatch(/inputs +1200: 1200 explained, 0 failed/);
  });

  test("two shards explained by two processes at once, merged with dtd merge: the records of one run over the set", async () => {
    const full = join(files.dir!, "set.jsonl");
    expect((await dtd(args(files["x.jsonl"]!, full, ["--workers", "0"]))).code).toBe(0);
    const outs = [join(files.dir!, "out-a.jsonl"), join(files.dir!, "out-b.jsonl")];
    const ran = await Promise.all([runDtd(args(files["a.jsonl"]!, outs[0]!, ["--workers", "1"])), runDtd(args(files["b.jsonl"]!, outs[1]!, ["--workers", "1"]))]);
    expect(ran.map((r) => r.code)).toEqual([0, 0]);
    const merged = join(files.dir!, "merged.jsonl");
    const m = await dtd(["merge", "--out", merged, ...outs]);
    expect(m.code, m.err).toBe(0);
    expect(readFileSync(merged, "utf8")).toBe(readFileSync(full, "utf8"));
    expect(m.out).toMatch(/inputs +1200: 1200 explained, 0 failed/);
    expect(m.out).toContain(`wrote ${merged} (1200 records from 2 shards)`);
    const cut = writeFiles({ "cut.jsonl": readFileSync(outs[0]!, "utf8").slice(0, 500) });
    const refused = await dtd(["merge", "--out", join(files.dir!, "x.jsonl"), cut["cut.jsonl"]!]);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain("its last line is cut short");
    // A missing shard, a folder, an unfinished shard: refused before --out is opened, which keeps its bytes.
    const before = readFileSync(merged, "utf8");
    for (const [shard, says] of [
      [join(files.dir!, "no-such.jsonl"), `cannot read ${join(files.dir!, "no-such.jsonl")}: no such file`],
      [files.dir!, `cannot read ${files.dir!}: it is a directory`],
      [cut["cut.jsonl"]!, "its last line is cut short"],
    ] as const) {
      const r = await dtd(["merge", "--out", merged, outs[0]!, shard]);
      expect(r.code).toBe(1);
      expect(r.err).toContain(says);
      expect(readFileSync(merged, "utf8")).toBe(before);
    }
  });
});
