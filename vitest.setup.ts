/**
 * Shared test setup: fast-check is seeded from the environment so that a CI failure can be replayed, and the
 * native kernels (@dtd/native) are installed as the CLI and the bench install them, so that every product in
 * every test runs on the route users get.
 *   DTD_SEED=<n>          seed every property (printed by fast-check on failure)
 *   DTD_NUM_RUNS=<n>      cases per property (default 50; e.g. 1000 for a thorough run)
 *   DTD_KERNELS=wasm      run the tests without the native kernels (WebAssembly SIMD / JavaScript)
 *   DTD_REQUIRE_NATIVE=1  a native addon that does not load fails every test file (set by .ci/run)
 */
import { message, useNativeKernels } from "@dtd/native";
import fc from "fast-check";
import * as E from "fp-ts/lib/Either.js";

const seed = process.env["DTD_SEED"];
const numRuns = Number(process.env["DTD_NUM_RUNS"] ?? "50");
fc.configureGlobal({
  numRuns: Number.isFinite(numRuns) && numRuns > 0 ? numRuns : 50,
  ...(seed !== undefined && seed !== "" ? { seed: Number(seed) } : {}),
});

const installed = useNativeKernels();
if (process.env["DTD_REQUIRE_NATIVE"] === "1") {
  if (E.isLeft(installed)) throw new Error(message(installed.left));
  if (installed.right._tag === "NotNative" && installed.right.why !== "wasm chosen") throw new Error(message(installed.right.why));
}
