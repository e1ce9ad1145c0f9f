/**
 * Prototype a new root-point rule (docs/how-to-new-rule.md): define a search direction as data, derive its
 * propagation rule through eq. (4), explain a small network, and property-test it. The how-to's code blocks
 * are the regions of this file (packages/deep-taylor/test/docs.test.ts checks that they match, and runs
 * `prototypeNewRule`).
 *
 * Run it: pnpm tsx docs/examples/new-rule.ts
 */
// #region imports
import * as T from "@dtd/tensor";
import * as L from "@dtd/layers";
import * as DT from "@dtd/deep-taylor";
import { Kit } from "@dtd/deep-taylor/testing";
import { counterexampleSaver } from "@dtd/model-io/file";
// #endregion

// #region strategy
/**
 * The wᵖ-rule, 𝒳 = ℝᵈ: search along v_ij = sign(w_ij)|w_ij|^(p−1). Then v_ij w_ij = |w_ij|ᵖ ≥ 0, the line
 * x − s·v reaches the root at s = z_j / Σ_i |w_ij|ᵖ ≥ 0, and eq. (4) gives
 *   R_i = Σ_j |w_ij|ᵖ / Σ_i' |w_i'j|ᵖ · R_j
 * (p = 2 is the w²-rule; a larger p gives the strongest weights more of the relevance).
 */
const wPower = (p: number): DT.Strategy => ({
  name: `w^${p}`,
  domain: L.Domain.real,
  direction: DT.split(DT.term("1", DT.constantInput(1), DT.weightFn((w) => Math.sign(w) * Math.abs(w) ** (p - 1)))),
  segment: Infinity, // a whole line: no bound on s
  requiresNonPositiveBias: false, // a line through ℝᵈ meets the root whatever the bias
});
// #endregion

// #region explain
/** The deck's detection-pooling network: x_j = max(0, Σ_i x_i w_ij + b_j), f = Σ_j x_j. */
const deckNetwork = (): L.Model => {
  const W = T.of([1, -2, 2, 1, -1, 3], [3, 2]); // W[i][j] = w_ij
  const b = T.of([-1, -0.5], [2]);
  const built = L.build([3], L.sequential(L.detection(W, b), L.sumPool()));
  if (built._tag === "Left") throw new Error(L.message(built.left));
  return built.right;
};

const explainWithNewRule = (p: number): DT.Explanation => {
  const rule = DT.deriveRule(wPower(p)); // forward passes and VJPs with the weights w ↦ |w|ᵖ
  const x = T.of([1, 2, 0.5], [1, 3]);
  const e = DT.explain(deckNetwork(), x, DT.uniform(rule));
  if (e._tag === "Left") throw new Error(DT.message(e.left));
  return e.right; // e.R is the heatmap, e.f the score, Σ e.R = e.f
};
// #endregion

// #region properties
/** Each property's verdict: "ok", or its report of the smallest counterexample fast-check found. */
const verdicts = (report: Kit.RuleReport): Record<string, string> =>
  Object.fromEntries(report.properties.map((p) => [p.name, p.ok ? "ok" : (p.failure ?? "failed")]));

const testNewRule = (p: number, numRuns: number) => verdicts(Kit.checkRule(wPower(p), { numRuns }));
// #endregion

// #region not-positive
/**
 * The z-rule, 𝒳 = ℝᵈ: the segment from x to the origin, v_ij = x_i (a root when b_j ≤ 0). It is conservative
 * and its roots are roots, but x_i w_ij can be negative: it is not positive.
 */
const zRule: DT.Strategy = {
  name: "z",
  domain: L.Domain.real,
  direction: DT.split(DT.term("x", DT.input, DT.everyWeight)),
  segment: 1,
  requiresNonPositiveBias: true,
};

// conservative: "ok"; positive: "not positive (sample …): …; negative relevance first appears in …"
const testZRule = (numRuns: number) => verdicts(Kit.checkRule(zRule, { numRuns, properties: ["conservative", "positive"] }));
// #endregion

// #region outside-domain
/**
 * w²-on-positive-weights, 𝒳 = ℝ₊ᵈ: v_ij = w_ij⁺, so R_i = Σ_j (w_ij⁺)² / Σ_i' (w_i'j⁺)² · R_j. Conservative and
 * positive — but the root x − s·w⁺ leaves ℝ₊ᵈ wherever x_i < s·w_ij⁺: it is not a Taylor expansion at a point
 * of the domain, and only `rootsAreRoots` sees it.
 */
const wPlusSquared: DT.Strategy = {
  name: "w+^2",
  domain: L.Domain.nonNegative,
  direction: DT.split(DT.term("1", DT.constantInput(1), DT.weightFn((w) => Math.max(0, w)))),
  segment: Infinity,
  requiresNonPositiveBias: true,
};

// rootsAreRoots: "… root violation(s) …; first: layer 0 (dense, rule w+^2), sample …, neuron …: outsideDomain — …"
const testWPlusSquared = (numRuns: number) => verdicts(Kit.checkRule(wPlusSquared, { numRuns, properties: ["conservative", "positive", "rootsAreRoots"] }));
// #endregion

// #region report
/** The kit's report as text; with `dir`, each failing property's smallest case saved as files `dtd check` opens. */
const reportOn = (strategy: DT.Strategy, seed: number, dir?: string): string =>
  Kit.formatReport(Kit.checkRule(strategy, { numRuns: 30, seed, ...(dir === undefined ? {} : { save: counterexampleSaver(dir) }) }));
// #endregion

/** Everything the how-to shows, as data: the heatmap of w⁴ on the deck's network and the property reports. */
export const prototypeNewRule = (numRuns = 30, dir?: string) => {
  const e = explainWithNewRule(4);
  return {
    /** Seeded: the how-to shows this very text. */
    report: reportOn(wPlusSquared, 2017, dir),
    f: T.item(e.f),
    R: Array.from(e.R.data),
    sumR: T.item(T.sum(e.R)),
    wPower: testNewRule(4, numRuns),
    zRule: testZRule(numRuns),
    wPlusSquared: testWPlusSquared(numRuns),
    /** The same strategy at p = 2 gives the w²-rule's heatmap. */
    p2: Array.from(explainWithNewRule(2).R.data),
  };
};

if (typeof process !== "undefined" && process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  console.log(JSON.stringify(prototypeNewRule(), null, 2));
}
