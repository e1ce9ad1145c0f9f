/**
 * Probes @dtd/import on model files nobody here wrote (run by hand; not a test): for each file, the import
 * (time, heap), the forward pass against the original runtime (onnxruntime-web for .onnx), and one explanation
 * — zᵇ on the pixel box [0, 1] in the first layer, z⁺ above — strictly and with biases as relevance sinks,
 * reporting Σ R + absorbed against f.
 *
 *   pnpm exec tsx packages/import/probe/probe.ts FILE.onnx|model.json ... [--no-explain]
 *
 * TF.js files are imported and explained only (their oracle is in the tests: tfjs's graph executor).
 */
import { readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
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
  const readFile = (p: string): Uint8Array | undefined => {
    try {
      return new Uint8Array(readFileSync(join(dirname(file), p)));
    } catch {
      return undefined;
    }
  };
  const r = importModel(bytes, { name, dtype: "float32", readFile });
  if (E.isLeft(r)) {
    console.log(`${name}: REFUSED ${message(r.left)} (${seconds(t0)})`);
    return;
  }
  const { model, ir } = r.right;
  console.log(`${name}: imported ${ir.nodes.length} IR nodes → ${model.nodes.length} dtd nodes in ${seconds(t0)}; ${mb()}; notes: ${ir.notes.join(" | ")}`);
  const size = ir.input.shape.reduce((a, b) => a * b, 1);
  const rng = T.Random.make(7);
  const x = Float32Array.from({ length: size }, () => T.Random.uniform(rng, 0, 1));
  if (ir.format === "onnx") await compare(bytes, ir.input.shape, model, x);
  if (explainToo) explain(importModel(bytes, { name, dtype: "float64", readFile }), x);
};

const compare = async (bytes: Uint8Array, shape: readonly number[], model: L.Model, x: Float32Array): Promise<void> => {
  let t0 = performance.now();
  const run = await ortLogits(bytes, shape);
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
};

const explain = (m64: ReturnType<typeof importModel>, x: Float32Array): void => {
  if (E.isLeft(m64)) return;
  let t0 = performance.now();
  const x64 = T.of(Float64Array.from(x), [1, ...m64.right.model.inputShape], "float64");
  const canon = L.canonizeChecked(m64.right.model, x64);
  if (E.isLeft(canon)) {
    console.log(`  canonize: REFUSED ${L.message(canon.left)}`);
    return;
  }
  const kept = canon.right.kept.length;
  const zb = DT.zB(0, 1);
  if (E.isLeft(zb)) throw new Error(zb.left);
  // z⁺ where an affine node's input is provably ≥ 0 (after ReLUs), w² (ℝᵈ) where it can be negative.
  const model = canon.right.model;
  const nonNegative = new Set<number>();
  const keeps: ReadonlySet<string> = new Set(["maxPool2d", "avgPool2d", "globalAvgPool", "globalMaxPool", "pad2d", "flatten", "concat", "add", "identity"]);
  model.nodes.forEach((n, i) => {
    const srcs = model.sources[i]!;
    const ok = n.layer.kind === "relu" || n.layer.kind === "clippedRelu" || (keeps.has(n.layer.kind) && srcs.every((p) => nonNegative.has(p)));
    if (ok) nonNegative.add(i + 1);
  });
  const signed = model.nodes.filter((n, i) => L.isAffine(n.layer) && !nonNegative.has(model.sources[i]![0]!)).map((n) => n.name);
  const composite = DT.composite([
    { match: DT.firstAffine, use: DT.deriveRule(zb.right) },
    { match: DT.byName(...signed), use: DT.deriveRule(DT.w2) },
    { match: DT.affine, use: DT.deriveRule(DT.zPlus) },
  ]);
  console.log(`  composite: zb first, w² on ${signed.length} affine nodes with signed inputs, z⁺ on the rest`);
  for (const biasSink of [false, true]) {
    t0 = performance.now();
    const e = DT.explain(model, x64, composite, { target: { _tag: "argmax" }, biasSink });
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
    if (args.includes("--nodes")) {
      e.right.absorbed.forEach((a, i) => {
        const Rout = e.right.relevances[i + 1]!.data.reduce((p, v) => p + v, 0);
        if (a !== undefined && Math.abs(a[0]!) > 1e-3 * Math.abs(f)) console.log(`    ${i} ${model.nodes[i]!.name} (${model.layers[i]!.kind}, ${e.right.rules[i] || "-"}): absorbed ${a[0]!.toPrecision(4)} of ${Rout.toPrecision(4)}`);
      });
    }
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
