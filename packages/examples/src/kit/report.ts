/**
 * What every experiment's report is made of: claims checked against a run's numbers, listed with their verdict,
 * and Markdown tables.
 * @module
 */

/** A claim and the verdict of this run, with the numbers behind it. */
export interface Claim {
  readonly statement: string;
  readonly holds: boolean;
  readonly evidence: string;
}

/** A Markdown table. */
export const markdownTable = (header: readonly string[], rows: readonly (readonly string[])[]): string[] => [
  `| ${header.join(" | ")} |`,
  `| ${header.map(() => "---").join(" | ")} |`,
  ...rows.map((r) => `| ${r.join(" | ")} |`),
];

/** The claims as a list: "- **holds** — statement (evidence)". */
export const claimLines = (claims: readonly Claim[]): string[] =>
  claims.map((c) => `- **${c.holds ? "holds" : "does not hold"}** — ${c.statement}.  \n  ${c.evidence}.`);
