/**
 * The numbers of an outcome as the page words them: the consistency verdict (Montavon et al. 2017, Defs. 1–3)
 * and the root check. Pure, so the wording is tested without a browser.
 * @module
 */
import type { Outcome } from "../explainSample.ts";

/** "yes: conservative and positive", or what fails. */
export const consistencyText = (o: Outcome): string => {
  const c = o.consistency;
  if (c.consistent) return "yes: conservative and positive";
  const why = [...(c.finite ? [] : ["not finite"]), ...(c.conservative ? [] : ["not conservative"]), ...(c.positive ? [] : ["not positive"])];
  return `no: ${why.join(", ")}`;
};

/** What verifyRoots found, or why there was nothing to check. */
export const rootsText = (o: Outcome): string => {
  const r = o.roots;
  if (r === undefined) return "— (a baseline has no root points)";
  if ("refused" in r) return `not checked: ${r.refused}`;
  return r.violations === 0 ? `all ${r.active} active neurons: roots, on the segment, in the domain` : `${r.violations} violations among ${r.active} active neurons`;
};
