/**
 * @dtd/cli/experiments — what the paper's experiments share with tools outside the command line (the explorer's
 * scripts train or load the demo's network with these): the MNIST loaders and pairs, the demo's recipe, its
 * cached training, quiet or printing hooks, the cache directory. The commands themselves are in `@dtd/cli`.
 * @module
 */
export { makePairs, PAIR_PIXELS, PAIR_SHAPE, splitMnist } from "@dtd/datasets";
export { loadMnist } from "@dtd/datasets/node";
export { DEFAULT_STEPS } from "./demo/index.ts";
export { RECIPE } from "./demo/network.ts";
export { obtainModel } from "./demo/pipeline.ts";
export { type Hooks, silent } from "./demo/hooks.ts";
export { defaultCacheDir } from "./demo/repoRoot.ts";
