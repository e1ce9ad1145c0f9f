/**
 * Runs docs/examples/train-detection-pooling.ts on a small budget. The example lives outside this package's
 * TypeScript project, so it is imported by a computed path (not followed by tsc) and its shape is checked here.
 */
import { expect, test } from "vitest";

interface ExampleResult {
  readonly initialLoss: number;
  readonly finalLoss: number;
  readonly accuracy: number;
  readonly maxBias: number;
  readonly lossHistory: readonly number[];
}
interface ExampleModule {
  readonly runExample: (opts: { steps: number; seed: number; log?: (line: string) => void }) => ExampleResult;
}
const isExampleModule = (u: unknown): u is ExampleModule =>
  typeof u === "object" && u !== null && "runExample" in u && typeof (u as { runExample: unknown }).runExample === "function";

// packages/layers/test/ → the repository root → docs/examples/ (this package's types have no Node or DOM
// declarations, hence the typed view of import.meta).
const here = (import.meta as { readonly url?: string }).url ?? "";
const path = here.replace(/packages\/layers\/test\/[^/]*$/, "docs/examples/train-detection-pooling.ts");

test("the detection-pooling example trains: the test loss falls by a clear margin and every bias stays ≤ 0", async () => {
  const mod: unknown = await import(path);
  if (!isExampleModule(mod)) throw new Error(`expected ${path} to export runExample`);
  const lines: string[] = [];
  const r = mod.runExample({ steps: 300, seed: 1, log: (line) => lines.push(line) });
  expect(r.lossHistory.length).toBe(300);
  expect(r.finalLoss).toBeLessThan(0.25 * r.initialLoss);
  expect(r.maxBias).toBeLessThanOrEqual(0);
  expect(r.accuracy).toBeGreaterThan(0.8);
  expect(lines.some((l) => l.startsWith("step    300/300"))).toBe(true);
  expect(lines[lines.length - 1]).toMatch(/every b_j ≤ 0, as required/);
});
