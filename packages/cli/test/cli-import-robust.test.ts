/**
 * Imported models from the command line beyond the happy path: PyTorch exports of real architectures' structures
 * explained and checked (Σ R + absorbed = f, biases and the shifts of unfoldable batch norms as sinks), an input
 * size the file leaves open given with --input-shape, and broken files — truncated, not a model, a shard missing
 * or short — refused with exit 1 and a message naming the file and what was found, never an unexpected error.
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { expectAllClose } from "@dtd/tensor/testing";
import { memoryIo } from "../src/Io.ts";
import { run } from "../src/run.ts";

const dtd = async (...args: string[]) => {
  const io = memoryIo();
  const code = await run(args, io);
  return { code, stdout: io.out(), stderr: io.err() };
};
const onnx = (name: string) => new URL(`../../import/test/fixtures/onnx/${name}`, import.meta.url).pathname;
const tfjs = (name: string) => new URL(`../../import/test/fixtures/tfjs/${name}`, import.meta.url).pathname;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "dtd-import-robust-"));
});
const sample = (n: number, seed: number): string => {
  const path = join(dir, `x${n}-${seed}.json`);
  writeFileSync(path, JSON.stringify(Array.from({ length: n }, (_, i) => ((i * 7919 + seed * 104729) % 1000) / 1000)));
  return path;
};

interface CheckJson {
  readonly nodes: { readonly ok: boolean };
  readonly consistency: { readonly f: number; readonly sumR: number; readonly conservative: boolean };
  readonly biasRelevance: { readonly total: number; readonly perNode: readonly { readonly node: string; readonly kind: string }[] };
}

describe("dtd check on PyTorch exports of real architectures' structures (zᵇ first, z⁺ above, --bias-sink)", () => {
  const cases: readonly [string, number, string][] = [
    ["resnet_tiny_op11_nofold_inputs_dyn.onnx", 3 * 16 * 16, "zplus"],
    ["squeeze_tiny_op17_nofold_dyn_bn.onnx", 3 * 15 * 15, "zplus"],
    ["vgg_tiny_op13.onnx", 3 * 16 * 16, "zplus"],
  ];
  for (const [file, size, rule] of cases) {
    test(`${file}: conservative, every relevance accounted for`, async () => {
      const r = await dtd("check", "--model", onnx(file), "--input", sample(size, 3), "--first-rule", "zb", "--low", "0", "--high", "1", "--rule", rule, "--add", "rules", "--bias-sink", "--target", "argmax", "--json");
      const j = JSON.parse(r.stdout) as CheckJson;
      expect(j.consistency.conservative).toBe(true);
      expect(j.nodes.ok).toBe(true);
      expectAllClose([j.consistency.sumR + j.biasRelevance.total], [j.consistency.f], { rtol: 1e-9, atol: 1e-12 });
    });
  }

  test("DenseNet's batch norms on concatenations cannot be folded: with --bias-sink their shifts are sinks too (Σ R + absorbed = f), named per node", async () => {
    const r = await dtd("check", "--model", onnx("densenet_tiny_op17_nofold_dyn_bn.onnx"), "--input", sample(3 * 32 * 32, 4), "--first-rule", "zb", "--low", "0", "--high", "1", "--rule", "zplus", "--bias-sink", "--target", "argmax", "--json");
    const j = JSON.parse(r.stdout) as CheckJson;
    expect(j.consistency.conservative).toBe(true);
    expect(j.nodes.ok).toBe(true);
    expect(j.biasRelevance.perNode.filter((n) => n.kind === "scaleShift").map((n) => n.node)).toContain("/features/norm5/BatchNormalization");
    expectAllClose([j.consistency.sumR + j.biasRelevance.total], [j.consistency.f], { rtol: 1e-9, atol: 1e-12 });
  });
});

describe("--input-shape: a file that leaves its input size open", () => {
  test("explain refuses without it, naming the flag, and explains with it; a contradicting shape is refused", async () => {
    const model = onnx("fcn_dynamic_hw.onnx");
    const args = ["explain", "--model", model, "--input", sample(3 * 6 * 6, 5), "--rule", "w2", "--target", "argmax", "--json"];
    const refused = await dtd(...args);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`its input "input" has shape [?, 3, ?, ?] with unknown sizes: give the per-sample input size (C, H, W) when importing: the inputShape option, dtd's --input-shape`);
    const r = await dtd(...args, "--input-shape", "3,6,6");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { f: number; relevance: number[] };
    expect(j.relevance).toHaveLength(108);
    expect((await dtd(...args, "--input-shape", "1,6,6")).stderr).toContain("contradicts the file's input");
    expect((await dtd(...args, "--input-shape", "3,x")).code).toBe(2);
  });
});

describe("broken model files: exit 1 with what was expected and found, never an unexpected error", () => {
  const refusedWith = async (model: string, expected: string): Promise<void> => {
    const r = await dtd("import", model, "--out", join(dir, "out.json"));
    expect(r.stderr).not.toMatch(/unexpected error|    at /);
    expect(r.stderr).toContain(expected);
    expect(r.code).toBe(1);
  };
  test("a truncated ONNX file, an empty one, an image named .onnx", async () => {
    const bytes = readFileSync(onnx("resnet_tiny_op13.onnx"));
    writeFileSync(join(dir, "cut.onnx"), bytes.subarray(0, 5000));
    await refusedWith(join(dir, "cut.onnx"), `cut.onnx: expected an ONNX model (a protobuf ModelProto), found bytes that end inside a field`);
    writeFileSync(join(dir, "empty.onnx"), new Uint8Array(0));
    await refusedWith(join(dir, "empty.onnx"), "empty.onnx: expected an ONNX model (a protobuf ModelProto), found an empty file");
    writeFileSync(join(dir, "photo.onnx"), Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 16]));
    await refusedWith(join(dir, "photo.onnx"), "found a JPEG image");
  });
  test("a TF.js model.json whose shard is missing, or shorter than its manifest", async () => {
    const json = join(dir, "model.json");
    copyFileSync(tfjs("residual_layers.json"), json);
    await refusedWith(json, "weight file group1-shard1of1.bin: cannot be read (listed in weightsManifest[0].paths)");
    writeFileSync(join(dir, "group1-shard1of1.bin"), readFileSync(tfjs("group1-shard1of1.bin")).subarray(0, 100));
    await refusedWith(json, "weight file group1-shard1of1.bin: holds 100 bytes, but weight");
  });
});
