/**
 * @dtd/examples — the deck's experiments, private to the repository. Its commands (`demo`, `demo deep`,
 * `graphs`, `real-model`, `titanic`) run through the repository's `dtd` (`pnpm dtd …`, `src/bin.ts`); this entry
 * point is what other tools share (the explorer's scripts train or load the demo's network with these): the
 * MNIST loaders and pairs, the demo's recipe, its cached training, quiet or printing hooks, the cache directory.
 * @module
 */
export { makePairs, PAIR_PIXELS, PAIR_SHAPE, splitMnist } from "@dtd/datasets";
export { loadMnist } from "@dtd/datasets/node";
export { DEFAULT_STEPS } from "./demo/index.ts";
export { RECIPE } from "./demo/network.ts";
export { obtainModel } from "./demo/pipeline.ts";
export { defaultCacheDir, type Hooks, silent } from "./kit/index.ts";
