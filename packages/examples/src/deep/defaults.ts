/**
 * Defaults of `dtd demo deep` that `dtd demo`'s help shows without loading the experiment (measured in
 * docs/mnist-deep.md: they keep a cached run within about a minute on 2 cores).
 * @module
 */
export const DEEP_DEFAULTS = { testCount: 200, taylorCount: 12, out: "out/mnist-deep" } as const;
