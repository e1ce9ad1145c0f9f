/**
 * The examples' summaries on the terminal (stdout): the consistency table of the methods, the AOPC table of a
 * region perturbation, and the verdict of a claim.
 * @module
 */
import { table } from "@dtd/cli";
import { type Claim } from "../kit/index.ts";
import { type AopcResult, replacements } from "./aopc.ts";
import type { MethodResult } from "./pipeline.ts";

/** Per method: the mean relative conservation error, the shares conservative and positive, min R_p, the share on the 0–3 digit. */
export const methodTable = (methods: readonly MethodResult[]): string[] =>
  table([
    ["method", "mean |ΣR−f|/f", "conservative", "positive", "min R_p", "on 0–3 digit"],
    ...methods.map((m) => [
      m.title,
      m.consistency.meanRelativeConservationError.toExponential(2),
      `${(100 * m.consistency.shareConservative).toFixed(1)} %`,
      `${(100 * m.consistency.sharePositive).toFixed(1)} %`,
      m.consistency.mostNegativeRelevance.toExponential(2),
      `${(100 * m.halves.target).toFixed(1)} %`,
    ]),
  ]);

/** The AOPC table of one region perturbation. */
export const aopcSummary = (a: AopcResult): string[] => [
  `  region perturbation (${a.settings.patch}×${a.settings.patch} patches replaced by ${replacements[a.settings.replacement].description}, ${a.settings.steps} steps, ${a.selected.length} pairs called positive):`,
  ...table(
    [
      ["method", "pairs", "MoRF AOPC", "LeRF AOPC", "random", "MoRF − random"],
      ...a.methods.map((m) => [m.title, String(m.idx.length), m.morf.aopc.toFixed(3), m.lerf.aopc.toFixed(3), m.random.aopc.toFixed(3), `${m.vsRandom.difference.toFixed(3)} ± ${m.vsRandom.standardError.toFixed(3)}`]),
    ],
    "    ",
  ),
];

/** "  holds          statement" or "  does not hold  statement". */
export const verdict = (c: Claim, indent = "  "): string => `${indent}${c.holds ? "holds        " : "does not hold"}  ${c.statement}`;
