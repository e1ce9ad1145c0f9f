/**
 * Fixtures of the CLI tests: small model files in the dtd-model format, inputs, the deck's rules written
 * straight from their formulas (independent of @dtd/deep-taylor), and a runner for the real `dtd` process.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (where `node --import tsx` finds tsx). */
export const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
/** The entry point. */
export const BIN = fileURLToPath(new URL("../src/bin.ts", import.meta.url));

/** The deck's detection–pooling network x_k = Σ_j max(0, Σ_i x_i w_ij + b_j), worked by hand in deep-taylor's tests. */
export const W = [
  [1, -2],
  [2, 1],
  [-1, 3],
] as const;
export const b = [-1, -0.5] as const;
export const x = [1, 2, 0.5] as const;

/** A dtd-model file of a dense layer (W [in][out]), a ReLU and a global sum pooling. */
export const detectionModel = (weight: readonly (readonly number[])[], bias: readonly number[]): object => ({
  format: "dtd-model",
  version: 1,
  inputShape: [weight.length],
  layers: [{ type: "dense", weight, bias }, { type: "relu" }, { type: "sumPool" }],
});

/** R_j = max(0, z_j): the detection layer's relevance under a sum pooling (the deck's R_j = x_j). */
export const hidden = (xs: readonly number[], w: readonly (readonly number[])[] = W, bias: readonly number[] = b): number[] =>
  bias.map((bj, j) => Math.max(0, xs.reduce((s, xi, i) => s + xi * w[i]![j]!, bj)));

/** Eq. (4) with q_ij given: R_i = Σ_j q_ij / Σ_i' q_i'j · R_j (a zero column passes nothing). */
const eq4 = (q: (i: number, j: number) => number, d: number, Rj: readonly number[]): number[] =>
  Array.from({ length: d }, (_, i) =>
    Rj.reduce((s, r, j) => {
      let col = 0;
      for (let k = 0; k < d; k++) col += q(k, j);
      return col === 0 ? s : s + (q(i, j) / col) * r;
    }, 0),
  );

/** z⁺: q_ij = x_i w_ij⁺. */
export const zPlusOracle = (xs: readonly number[], w: readonly (readonly number[])[] = W, bias: readonly number[] = b): number[] =>
  eq4((i, j) => xs[i]! * Math.max(0, w[i]![j]!), xs.length, hidden(xs, w, bias));
/** w²: q_ij = w_ij². */
export const w2Oracle = (xs: readonly number[], w: readonly (readonly number[])[] = W, bias: readonly number[] = b): number[] => eq4((i, j) => w[i]![j]! ** 2, xs.length, hidden(xs, w, bias));
/** zᵇ: q_ij = x_i w_ij − l_i w_ij⁺ − h_i w_ij⁻. */
export const zbOracle = (xs: readonly number[], l: readonly number[], h: readonly number[], w: readonly (readonly number[])[] = W, bias: readonly number[] = b): number[] =>
  eq4((i, j) => xs[i]! * w[i]![j]! - l[i]! * Math.max(0, w[i]![j]!) - h[i]! * Math.min(0, w[i]![j]!), xs.length, hidden(xs, w, bias));

/** A 1×4×6 image model: conv2d (2 filters 3×3, b ≤ 0), ReLU, global sum pooling. */
export const imageModel = {
  format: "dtd-model",
  version: 1,
  inputShape: [1, 4, 6],
  layers: [
    {
      type: "conv2d",
      weight: [
        [
          [
            [0.5, -0.25, 0.75],
            [1, 0.5, -0.5],
            [0.25, 0.5, 0.25],
          ],
        ],
        [
          [
            [-0.5, 1, 0.25],
            [0.75, -0.25, 0.5],
            [0.5, 0.25, -1],
          ],
        ],
      ],
      bias: [-0.1, 0],
    },
    { type: "relu" },
    { type: "sumPool" },
  ],
};

/** Writes `files` (name → JSON value, raw text or bytes) into a fresh temporary directory; returns name → path. */
export const writeFiles = (files: Readonly<Record<string, unknown>>): Record<string, string> => {
  const dir = mkdtempSync(join(tmpdir(), "dtd-cli-"));
  const paths: Record<string, string> = { dir };
  for (const [name, content] of Object.entries(files)) {
    const path = join(dir, name);
    writeFileSync(path, typeof content === "string" || content instanceof Uint8Array ? content : JSON.stringify(content));
    paths[name] = path;
  }
  return paths;
};

/** What a finished `dtd` process left. */
export interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node --import tsx packages/cli/src/bin.ts …args` from the repository root (or `command` instead of node). */
export const runDtd = (args: readonly string[], opts: { readonly command?: readonly string[] } = {}): Promise<Ran> => {
  const [file, ...pre] = opts.command ?? [process.execPath, "--import", "tsx", BIN];
  return new Promise((resolve) => {
    execFile(file!, [...pre, ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, FORCE_COLOR: "0" } }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
};
