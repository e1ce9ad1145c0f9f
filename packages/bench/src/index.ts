/**
 * @dtd/bench — the benchmark of issues 7 and 18: dtd heatmaps per second against TensorFlow.js gradient × input
 * and PyTorch (deep Taylor with dtd's rules, gradient × input), and kernel throughput. Run it with `pnpm bench`; this entry exports the pieces for tests and for registering the
 * dtd implementation (see `impls.ts`).
 * @module
 */
export type { Impl, ImplKind, Job, Prepared } from "./Impl.ts";
export * from "./nets.ts";
export * from "./stats.ts";
export * from "./harness.ts";
export * from "./cli.ts";
export { dtdImpls, peerImpls, allImpls } from "./impls.ts";
