/**
 * The native peer computes dtd's explanations: PyTorch's deep Taylor heatmaps (torch_peer.py, modified-weight
 * forward passes + autograd) equal dtd's on small nets for every bench rule configuration, and its gradient ×
 * input equals the independent float64 loops of reference.ts.
 *
 * Needs Python with torch (Debian: python3-torch, libopenblas0-pthread; .ci/run installs them). Without it the
 * tests are skipped, unless DTD_REQUIRE_TORCH=1 (set by .ci/run), where a missing torch fails them.
 */
import * as T from "@dtd/tensor";
import { afterAll, describe, expect, test } from "vitest";
import { dtdReference, relMaxErr } from "../src/heatmaps.ts";
import type { Job } from "../src/Impl.ts";
import { type Layer, makeInput, type NetSpec, type Rule } from "../src/nets.ts";
import { antispoofNet } from "../src/realNet.ts";
import { closeTorchProcesses, fromBase64, toBase64, torchImpl, torchProcess } from "../src/peer/torch.ts";
import { gradientTimesInput } from "../src/reference.ts";

const available = await torchProcess(1);
const required = process.env.DTD_REQUIRE_TORCH === "1";
const skip = typeof available === "string" && !required;

afterAll(closeTorchProcesses);

const rng = T.Random.make(18);
const dense = (inputs: number, outputs: number): Layer => ({
  kind: "dense", inputs, outputs,
  W: T.Random.normalTensor(rng.fork(), [inputs, outputs], 0, Math.sqrt(2 / inputs), "float64"),
  b: T.Random.uniformTensor(rng.fork(), [outputs], -0.05, 0, "float64"),
});
const conv = (inChannels: number, outChannels: number, kernel: number): Layer => ({
  kind: "conv2d", inChannels, outChannels, kernel,
  W: T.Random.normalTensor(rng.fork(), [outChannels, inChannels, kernel, kernel], 0, Math.sqrt(2 / (inChannels * kernel * kernel)), "float64"),
  b: T.Random.uniformTensor(rng.fork(), [outChannels], -0.05, 0, "float64"),
});

/** A's shape in small: Dense 12→7, ReLU, sum pooling; inputs in [0, 1]. */
const small: NetSpec = {
  name: "A", description: "Dense 12→7, ReLU, sum", inputShape: [12], output: "sum", rules: ["zplus", "zb"], box: { lo: 0, hi: 1 },
  layers: [dense(12, 7), { kind: "relu" }, { kind: "sumPool" }],
};

/** C's shape in small, on the box [−1, 2]: conv 2→3 3×3, ReLU, max-pool 2, conv 3→4 2×2, ReLU, flatten, Dense 16→5, ReLU, Dense 5→3. */
const smallCnn: NetSpec = {
  name: "C", description: "small CNN", inputShape: [2, 8, 8], output: "topLogit", rules: ["zb+zplus"], box: { lo: -1, hi: 2 },
  layers: [
    conv(2, 3, 3), { kind: "relu" }, { kind: "maxPool2d", size: 2 },
    conv(3, 4, 2), { kind: "relu" }, { kind: "flatten" }, dense(16, 5), { kind: "relu" }, dense(5, 3),
  ],
};

const heatmaps = async (method: "deepTaylor" | "gradientTimesInput", job: Job): Promise<Float64Array> => {
  const p = await torchImpl(method, 1).prepare(job);
  return await p.heatmaps!();
};

describe.skipIf(skip)("torch peer", () => {
  test("Python with torch answers (else install python3-torch and libopenblas0-pthread)", () => {
    if (typeof available === "string") throw new Error(available);
    expect(available.hello.torch).toMatch(/^\d+\.\d+/);
  });

  test("base64 float64 round trip, with an offset view", () => {
    const x = new Float64Array([0, -0, 1.5, -Infinity, Number.MIN_VALUE, 1e308]);
    expect(Array.from(fromBase64(toBase64(x.subarray(1))))).toEqual(Array.from(x.subarray(1)));
  });

  for (const [net, rule] of [[small, "zplus"], [small, "zb"], [smallCnn, "zb+zplus"]] as [NetSpec, Rule][]) {
    test(`deep Taylor ${net.description}, ${rule}: float64 heatmaps equal dtd's within 1e-12 of the largest |R|`, async () => {
      const x = makeInput(net, 5, 3);
      const got = await heatmaps("deepTaylor", { net, rule, batch: 5, dtype: "float64", x });
      const ref = await dtdReference(net, rule, x);
      // Not a vacuous comparison: relevance reached the input.
      expect(ref.some((r) => Math.abs(r) > 1e-3)).toBe(true);
      expect(relMaxErr(got, ref)).toBeLessThan(1e-12);
    });
  }

  test("the real net (Human's anti-spoofing CNN, positive biases, a photo crop): float64 heatmaps equal dtd's within 1e-12", async () => {
    const net = antispoofNet();
    const x = makeInput(net, 1);
    const got = await heatmaps("deepTaylor", { net, rule: "zb+zplus", batch: 1, dtype: "float64", x });
    const ref = await dtdReference(net, "zb+zplus", x);
    expect(ref.filter((r) => r !== 0).length).toBeGreaterThan(1000);
    expect(relMaxErr(got, ref)).toBeLessThan(1e-12);
  });

  test("float32 deep Taylor agrees with dtd's float64 heatmaps within 1e-4 of the largest |R|", async () => {
    const x = makeInput(smallCnn, 4, 5);
    const got = await heatmaps("deepTaylor", { net: smallCnn, rule: "zb+zplus", batch: 4, dtype: "float32", x });
    expect(relMaxErr(got, await dtdReference(smallCnn, "zb+zplus", x))).toBeLessThan(1e-4);
  });

  test("gradient × input equals reference.ts on both nets", async () => {
    for (const net of [small, smallCnn]) {
      const x = makeInput(net, 3, 9);
      const got = await heatmaps("gradientTimesInput", { net, rule: net.rules[0]!, batch: 3, dtype: "float64", x });
      expect(relMaxErr(got, gradientTimesInput(net, x))).toBeLessThan(1e-12);
    }
  });
});
