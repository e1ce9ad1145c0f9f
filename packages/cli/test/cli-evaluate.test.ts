/**
 * `dtd evaluate` in-process: AOPC of the deck's network against a perturbation computed by hand from the z⁺ oracle
 * (independent of @dtd/evaluate), the known answer of a network that reads one input, the output formats, the
 * progress on stderr, and the refusals (exit 2 for a bad command line, 1 for a bad file).
 */
import { beforeAll, describe, expect, test } from "vitest";
import { expectAllClose } from "@dtd/tensor/testing";
import { memoryIo } from "../src/Io.ts";
import { run } from "../src/run.ts";
import { b, detectionModel, hidden, W, writeFiles, zPlusOracle } from "./cliFixtures.ts";

let p: Record<string, string>;
const dtd = async (...args: string[]) => {
  const io = memoryIo();
  const code = await run(args, io);
  return { code, stdout: io.out(), stderr: io.err() };
};
const xs = [
  [1, 2, 0.5],
  [0.5, 1, 2],
  [2, 0.25, 1],
];

beforeAll(() => {
  p = writeFiles({
    "deck.json": detectionModel(W, b),
    "one.json": detectionModel([[0], [2], [0]], [0]),
    "xs.json": xs,
    "bad.json": [1, 2, 3, 4],
  });
});

/** f of the deck's network. */
const f = (x: readonly number[]): number => hidden(x).reduce((s, v) => s + v, 0);

/** Region perturbation by hand: single inputs replaced by 0 in the order of the z⁺ oracle's relevance. */
const byHand = (ordering: "morf" | "lerf"): number => {
  const per = xs.map((x) => {
    const R = zPlusOracle(x);
    const order = [0, 1, 2].sort((a, c) => (ordering === "morf" ? R[c]! - R[a]! : R[a]! - R[c]!) || a - c);
    const cur = [...x];
    const curve = [f(cur)];
    for (const i of order) {
      cur[i] = 0;
      curve.push(f(cur));
    }
    return curve.reduce((s, v) => s + (curve[0]! - v), 0) / curve.length;
  });
  return per.reduce((s, v) => s + v, 0) / per.length;
};

describe("dtd evaluate", () => {
  test("AOPC of z⁺ on the deck's network equals region perturbation by hand (replacement 0, single inputs)", async () => {
    const r = await dtd("evaluate", "--model", p["deck.json"]!, "--input", p["xs.json"]!, "--rule", "zplus", "--replace", "constant", "--orderings", "morf,lerf", "--json");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { samples: number; regions: number; steps: number; orderings: Record<string, { aopc: number; meanDrop: number[] }> };
    expect([out.samples, out.regions, out.steps]).toEqual([3, 3, 3]);
    expectAllClose(out.orderings["morf"]!.aopc, byHand("morf"), { atol: 1e-12, rtol: 1e-12 });
    expectAllClose(out.orderings["lerf"]!.aopc, byHand("lerf"), { atol: 1e-12, rtol: 1e-12 });
    expect(out.orderings["morf"]!.aopc).toBeGreaterThan(out.orderings["lerf"]!.aopc);
    expect(r.stderr).toContain("perturbing: done, 4/4");
  });

  test("a network that reads one input: MoRF removes it first, AOPC = L/(L + 1)·⟨f(x)⟩, the largest possible", async () => {
    const r = await dtd("evaluate", "--model", p["one.json"]!, "--input", p["xs.json"]!, "--rule", "zplus", "--replace", "constant", "--value", "0", "--json");
    const out = JSON.parse(r.stdout) as { orderings: Record<string, { aopc: number }> };
    const meanF = (2 * (2 + 1 + 0.25)) / 3;
    expectAllClose(out.orderings["morf"]!.aopc, (3 / 4) * meanF, { atol: 1e-12, rtol: 1e-12 });
    expect(out.orderings["random"]!.aopc).toBeLessThanOrEqual(out.orderings["morf"]!.aopc);
    expectAllClose(out.orderings["lerf"]!.aopc, (1 / 4) * meanF, { atol: 1e-12, rtol: 1e-12 }); // removed last of three
  });

  test("the summary names the orderings, the regions and the replacement; baselines work too", async () => {
    const r = await dtd("evaluate", "--model", p["deck.json"]!, "--input", p["xs.json"]!, "--method", "sensitivity", "--range", "0,2", "--seed", "4");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("3 pixels; 3 steps of 1; replaced by uniform noise in [0, 2] (seed 4)");
    expect(r.stdout).toMatch(/most relevant first \(MoRF\)\s+-?\d/);
    expect(r.stdout).toContain("− random (paired)");
    const again = await dtd("evaluate", "--model", p["deck.json"]!, "--input", p["xs.json"]!, "--method", "sensitivity", "--range", "0,2", "--seed", "4");
    expect(again.stdout).toBe(r.stdout);
  });

  test.each([
    [["--rule", "zplus", "--orderings", "morf,best"], 2, '--orderings: expected distinct orderings among morf, lerf, random, found "morf,best"'],
    [["--rule", "zplus", "--replace", "constant", "--range", "0,1"], 2, "--range sets the noise box: use it with --replace noise"],
    [["--rule", "zplus", "--value", "1"], 2, "--value sets the constant: use it with --replace constant"],
    [["--rule", "zplus", "--range", "1,0"], 2, "--range: expected L ≤ H, found 1 > 0"],
    [["--rule", "zplus", "--steps", "9"], 2, "option steps: expected an integer in [1, 3] (3 regions, 1 per step), found 9"],
    [["--rule", "zplus", "--patch", "0"], 2, '--patch: expected an integer ≥ 1, found "0"'],
    [["--rule", "zplus", "--input", "BAD"], 1, "expected whole samples of 3 numbers each (input shape [3]), found 4 numbers"],
    [["--rule", "zplus", "--image", "BAD"], 2, "dtd evaluate reads a batch of inputs from --input; --image (one photo) is for dtd explain and dtd check"],
  ] as const)("refuses %o (exit %i)", async (extra, code, message) => {
    const input = (extra as readonly string[]).includes("BAD") ? [] : ["--input", p["xs.json"]!];
    const r = await dtd("evaluate", "--model", p["deck.json"]!, ...input, ...extra.map((a) => (a === "BAD" ? p["bad.json"]! : a)));
    expect(r.code).toBe(code);
    expect(r.stderr).toContain(message);
  });
});
