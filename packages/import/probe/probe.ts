/**
 * Probes @dtd/import on model files nobody here wrote (run by hand; not a test): for each file, the import
 * (time, heap), the forward pass against the original runtime (onnxruntime-web for .onnx), and one explanation
 * — zᵇ on the pixel box [0, 1] in the first layer, z⁺ above — strictly and with biases as relevance sinks,
 * reporting Σ R + absorbed against f.
 *
 *   pnpm exec tsx packages/import/probe/probe.ts FILE.onnx ... [--size 3,224,224] [--no-explain]
 */
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import * as E from "fp-ts/lib/Either.js";
import * as T from "@dtd/tensor";
import * as L from "@dtd/layers";
import * as DT from "@dtd/deep-taylor";
import { importModel, message } from "@dtd/import";
import { ortLogits } from "../test/onnxFiles.ts";

const args = process.argv.slice(2);
const files = args.filter((a) => !a.startsWith("--"));
const explainToo = !args.includes("--no-explain");
const mb = (): string => `${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MB heap, ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB rss`;
const seconds = (t0: number): string => `${((performance.now() - t0) / 1000).toFixed(2)} s`;

const probe = async (file: string): Promise<void> => {
  const name = basename(file);
  const bytes = new Uint8Array(readFileSync(file));
  let t0 = performance.now();
  const r = importModel(bytes, { name, dtype: "float32" });
  if (E.isLeft(r)) {
    console.log(`${name}: REFUSED ${message(r.left)} (${seconds(t0)})`);
    return;
  }
  const { model, ir } = r.right;
  console.log(`${name}: imported ${ir.nodes.length} IR nodes → ${model.nodes.length} dtd nodes in ${seconds(t0)}; ${mb()}; notes: ${ir.notes.join(" | ")}`);
  const size = ir.input.shape.reduce((a, b) => a * b, 1);
  const rng = T.Random.make(7);
  const x = Float32Array.from({ length: size }, () => T.Random.uniform(rng, 0, 1));
  t0 = performance.now();
  const run = await ortLogits(bytes, ir.input.shape);
  const expected = await run(x);
  const tOrt = seconds(t0);
  t0 = performance.now();
  const got = L.forward(model, T.of(x, [1, ...model.inputShape], "float32")).output.data;
  const tDtd = seconds(t0);
  let maxAbs = 0;
  let maxErr = 0;
  for (let i = 0; i < expected.length; i++) {
    maxAbs = Math.max(maxAbs, Math.abs(expected[i]!));
    maxErr = Math.max(maxErr, Math.abs(expected[i]! - got[i]!));
  }
  console.log(`  forward: max |dtd − ort| = ${maxErr.toExponential(2)} (max |logit| ${maxAbs.toExponential(2)}, relative ${(maxErr / maxAbs).toExponential(2)}); ort ${tOrt} (incl. session), dtd ${tDtd}`);
  if (!explainToo) return;
  const m64 = importModel(bytes, { name, dtype: "float64" });
  if (E.isLeft(m64)) return;
  const x64 = T.of(Float64Array.from(x), [1, ...model.inputShape], "float64");
  const canon = L.canonizeChecked(m64.right.model, x64);
  if (E.isLeft(canon)) {
    console.log(`  canonize: REFUSED ${L.message(canon.left)}`);
    return;
  }
  const kept = canon.right.kept.length;
  const zb = DT.zB(0, 1);
  if (E.isLeft(zb)) throw new Error(zb.left);
  const composite = DT.layerwise({ first: DT.deriveRule(zb.right), rest: DT.deriveRule(DT.zPlus) });
  for (const biasSink of [false, true]) {
    t0 = performance.now();
    const e = DT.explain(canon.right.model, x64, composite, { target: { _tag: "argmax" }, biasSink });
    if (E.isLeft(e)) {
      console.log(`  explain${biasSink ? " --bias-sink" : ""}: ${DT.message(e.left)} (${seconds(t0)})`);
      continue;
    }
    const f = e.right.f.data[0]!;
    let sum = 0;
    let min = Infinity;
    for (const v of e.right.R.data) {
      sum += v;
      min = Math.min(min, v);
    }
    const absorbed = e.right.biasRelevance[0]!;
    console.log(
      `  explain${biasSink ? " --bias-sink" : ""}: f = ${f.toPrecision(6)}, Σ R = ${sum.toPrecision(6)}, absorbed = ${absorbed.toPrecision(4)} (${((100 * absorbed) / f).toFixed(1)} %), |Σ R + absorbed − f| / f = ${(Math.abs(sum + absorbed - f) / Math.abs(f)).toExponential(2)}, min R = ${min.toExponential(2)}; ${kept} batch norms kept; ${seconds(t0)}; ${mb()}`,
    );
  }
};

for (const f of files) {
  try {
    await probe(f);
  } catch (e) {
    console.log(`${basename(f)}: THREW ${e instanceof Error ? e.stack : String(e)}`);
  }
}
