/**
 * @dtd/bench — the benchmark of issues 7 and 18: dtd heatmaps per second against TensorFlow.js gradient × input
 * and PyTorch (deep Taylor with dtd's rules, gradient × input), and kernel throughput. Run it with `pnpm bench`; this entry exports the pieces for tests and for registering the
 * dtd implementation (see `impls.ts`).
 * @module
 */
export type { Impl, ImplKind, Job, Prepared } from "./Impl.ts";
export { type SyntheticNetName, type NetName, type Rule, type F64, type Layer, type LayerArch, type Output, type NetSpec, syntheticNetNames, netNames, batchesFor, architecture, layerOutputShape, shapeChain, defaultSeed, buildNet, makeInput } from "./nets.ts";
export { type Summary, quantile, median, summarize } from "./stats.ts";
export { type TimingOptions, type Timing, type Clock, fullTiming, quickTiming, cpuClock, measure, measureAsync, heatmapsPerSecond } from "./harness.ts";
export { type Sections, type CliOptions, type CliError, implNames, cliErrorMessage, defaults, usage, parseArgs } from "./cli.ts";
export { dtdImpls, peerImpls, allImpls } from "./impls.ts";
