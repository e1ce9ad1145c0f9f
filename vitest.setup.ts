/**
 * Shared test setup: fast-check is seeded from the environment so that a CI failure can be replayed.
 *   DTD_SEED=<n>       seed every property (printed by fast-check on failure)
 *   DTD_NUM_RUNS=<n>   cases per property (default 50; e.g. 1000 for a thorough run)
 */
import fc from "fast-check";

const seed = process.env["DTD_SEED"];
const numRuns = Number(process.env["DTD_NUM_RUNS"] ?? "50");
fc.configureGlobal({
  numRuns: Number.isFinite(numRuns) && numRuns > 0 ? numRuns : 50,
  ...(seed !== undefined && seed !== "" ? { seed: Number(seed) } : {}),
});
