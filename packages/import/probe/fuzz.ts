/**
 * Mutation fuzzing of @dtd/import (run by hand; not a test): random byte changes and truncations of the given
 * model files must each import or be refused with a tagged error — never throw. Prints every distinct exception
 * with where it was thrown.
 *
 *   pnpm exec tsx packages/import/probe/fuzz.ts FILE.onnx ... [--runs N] [--seed S]
 */
import { readFileSync } from "node:fs";
import * as E from "fp-ts/lib/Either.js";
import { importModel } from "@dtd/import";

const args = process.argv.slice(2);
const flag = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const runs = flag("--runs", 3000);
let state = flag("--seed", 12345);
const files = args.filter((a, i) => !a.startsWith("--") && !args[i - 1]?.startsWith("--"));
const rnd = (): number => (state = (state * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;

const thrown = new Map<string, number>();
let refused = 0;
for (const f of files) {
  const original = new Uint8Array(readFileSync(f));
  for (let k = 0; k < runs; k++) {
    const b = original.slice(0, rnd() < 0.2 ? Math.floor(rnd() * original.length) : original.length);
    for (let i = 0, n = 1 + Math.floor(rnd() * 4); i < n; i++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
    try {
      if (E.isLeft(importModel(b, { name: "fuzzed", readFile: () => undefined }))) refused++;
    } catch (e) {
      const key = e instanceof Error ? `${e.name}: ${e.message}`.slice(0, 160) : String(e);
      if (!thrown.has(key)) console.log(`${f} run ${k}: THREW ${key}\n  ${(e as Error).stack?.split("\n").slice(1, 4).join("\n  ")}`);
      thrown.set(key, (thrown.get(key) ?? 0) + 1);
    }
  }
}
console.log(`${files.length * runs} mutations: ${refused} refused with a tagged error, ${[...thrown.values()].reduce((a, b) => a + b, 0)} threw (${thrown.size} distinct)`);
