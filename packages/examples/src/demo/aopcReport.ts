/**
 * The region-perturbation section of the examples' reports: how it was measured, the AOPC table, the curves.
 * @module
 */
import { basename } from "node:path";
import { type Claim } from "../kit/index.ts";
import { type AopcResult, replacements } from "./aopc.ts";

const f3 = (v: number): string => (Number.isFinite(v) ? v.toFixed(3) : "–");
const pm = (v: number, se: number): string => `${f3(v)} ± ${f3(se)}`;

/** The AOPC table: per method the pairs, MoRF, LeRF, the random order on the same pairs, and MoRF − random. */
export const aopcTable = (r: AopcResult): string[] => [
  "| method | pairs | MoRF AOPC (↑) | LeRF AOPC (↓) | random order | MoRF − random (paired) |",
  "| --- | --- | --- | --- | --- | --- |",
  ...r.methods.map((m) => `| ${m.title} | ${m.idx.length} | ${pm(m.morf.aopc, m.morf.standardError)} | ${pm(m.lerf.aopc, m.lerf.standardError)} | ${pm(m.random.aopc, m.random.standardError)} | ${pm(m.vsRandom.difference, m.vsRandom.standardError)} |`),
];

/**
 * The section: how it was measured, then per replacement the table and the verdicts (claims[i] belongs to
 * results[i]), then the figure.
 */
export const aopcSection = (results: readonly AopcResult[], opts: { readonly figure: string; readonly claims: readonly Claim[]; readonly level?: string }): string[] => {
  const h = opts.level ?? "##";
  const s = results[0]?.settings;
  if (s === undefined) return [];
  return [
    `${h} Region perturbation (AOPC)`,
    "",
    "Is a heatmap *good* — does it find the pixels the network uses? Region perturbation (Samek et al.,",
    '"Evaluating the visualization of what a deep neural network has learned", IEEE TNNLS 2017, with `@dtd/evaluate`):',
    `the image is cut into ${s.patch}×${s.patch} patches, replaced one per step in the order a heatmap gives, ${s.steps} steps, and`,
    "AOPC = 1/(L + 1) ⟨Σ_{k=0}^{L} f(x⁽⁰⁾) − f(x⁽ᵏ⁾)⟩ over the pairs. Most relevant first (MoRF): a larger AOPC is better;",
    "least relevant first (LeRF): smaller is better; the random order ignores the heatmap and is the floor.",
    `Measured on ${results[0]!.settings.maxPairs === undefined ? "the" : "the first"} ${results[0]!.selected.length} explained test pairs the detector calls positive (f(x) > t); simple Taylor`,
    "decomposition on those of its pairs only, with the random order on the same pairs. ± is one standard error over",
    "the pairs (for MoRF − random: of the paired difference).",
    "",
    ...results.flatMap((r, i) => {
      const c = opts.claims[i];
      return [
        `Replaced by ${replacements[r.settings.replacement].description}${r.settings.replacement === "noise" ? ` (seed ${r.settings.seed}; every ordering puts the same noise into a given pixel)` : ""}:`,
        "",
        ...aopcTable(r),
        "",
        ...(c === undefined ? [] : [`- **${c.holds ? "holds" : "does not hold"}** — ${c.statement}.  \n  ${c.evidence}.`, ""]),
      ];
    }),
    "The mean score after k patches, for the methods measured on all the pairs (the random order dashed), one row per",
    "replacement:",
    "",
    `![perturbation curves](${basename(opts.figure)})`,
    "",
  ];
};
