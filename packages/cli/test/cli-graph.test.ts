/**
 * `dtd explain` and `dtd check` on graph models (model files of version 2): a residual block with a batch norm
 * that folds and one that cannot (it sits before a padded convolution), the add split proportionally and by the
 * rules, the canonization notes, and the first leaking layer named by `dtd check`.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { memoryIo } from "../src/Io.ts";
import { run } from "../src/run.ts";
import { writeFiles } from "./cliFixtures.ts";

let p: Record<string, string>;

const dtd = async (...args: string[]) => {
  const io = memoryIo();
  const code = await run(args, io);
  return { code, stdout: io.out(), stderr: io.err() };
};

const bn = (scale: number[], shift: number[]) => ({ type: "batchNorm", scale, shift, mean: scale.map(() => 0.1), variance: scale.map(() => 1), epsilon: 0 });

/** x (2×3×3) → conv → BN (folds into it) → ReLU → BN (cannot fold: a padded conv follows) → conv, + x, ReLU, pooling, score. */
const residual = {
  format: "dtd-model",
  version: 2,
  inputShape: [2, 3, 3],
  layers: [
    { name: "c1", type: "conv2d", weight: [[[[0.5]], [[0.2]]], [[[-0.3]], [[0.6]]]], bias: [0, -0.1] },
    { name: "bn1", ...bn([1.5, 0.8], [-0.2, 0.1]) },
    { name: "r1", type: "relu" },
    { name: "bn2", ...bn([1.2, 0.9], [0.3, -0.1]) },
    {
      name: "c2",
      type: "conv2d",
      weight: [
        [[[0, 0.1, 0], [0.1, 0.5, 0.1], [0, 0.1, 0]], [[0, 0, 0], [0, -0.2, 0], [0, 0, 0]]],
        [[[0, 0, 0], [0, 0.3, 0], [0, 0, 0]], [[0.1, 0, 0.1], [0, 0.4, 0], [0.1, 0, 0.1]]],
      ],
      bias: [-0.05, 0],
      padding: [1, 1],
    },
    { name: "sum", type: "add", inputs: ["c2", "input"] },
    { name: "r2", type: "relu" },
    { name: "gap", type: "globalAvgPool" },
    { name: "score", type: "dense", weight: [[1], [0.5]], bias: [0] },
  ],
};

beforeAll(() => {
  p = writeFiles({
    "residual.json": residual,
    "x.json": [0.2, 0.9, 0.4, 0.1, 0.7, 0.3, 0.8, 0.5, 0.6, 0.3, 0.1, 0.9, 0.4, 0.2, 0.8, 0.5, 0.7, 0.6],
  });
});

describe("graph models from the command line", () => {
  test("explain canonizes what folds exactly, says so, and reports the kept batch norm's absorbed relevance", async () => {
    const r = await dtd("explain", "--model", p["residual.json"]!, "--input", p["x.json"]!, "--rule", "zplus", "--add", "rules", "--lenient");
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/note: canonized: folded bn1 \(batchNorm\) into c1, the layer before it/);
    expect(r.stderr).toMatch(/note: canonized: kept bn2 \(batchNorm\) as its own layer: r1 \(relu\) comes before it, and c2 after it: conv2d pads with zeros/);
    expect(r.stderr).toMatch(/note: the shifts of unfolded batch norms absorbed -?[\d.e-]+ of f\(x\)/);
    // bn1 folded away: the nodes after it move up by one
    expect(r.stdout).toMatch(/method {14}deep Taylor decomposition: layer 0 "c1" \(conv2d\) zplus, layer 3 "c2" \(conv2d\) zplus, layer 4 "sum" \(add\) zplus, layer 7 "score" \(dense\) zplus; add by the rules' denominators/);
  });
  test("check names the kept batch norm as the first layer where relevance does not balance", async () => {
    const r = await dtd("check", "--model", p["residual.json"]!, "--input", p["x.json"]!, "--rule", "zplus", "--add", "rules");
    expect(r.stdout).toMatch(/^nodes {10}FAIL {2}relevance leaks first at layer 2 "bn2" \(batchNorm\): it passes [\d.e-]+ (less|more) than it receives .*absorbed by its shift/m);
    expect(r.code).toBe(1);
  });
  test("check --json carries the nodes report", async () => {
    const r = await dtd("check", "--model", p["residual.json"]!, "--input", p["x.json"]!, "--rule", "w2", "--json");
    const report = JSON.parse(r.stdout) as { nodes: { ok: boolean; first: { name: string; absorbed: boolean } | null } };
    expect(report.nodes.ok).toBe(false);
    expect(report.nodes.first?.name).toBe("bn2");
    expect(report.nodes.first?.absorbed).toBe(true);
  });
});
