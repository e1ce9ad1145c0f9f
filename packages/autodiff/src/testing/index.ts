/**
 * Test helpers for @dtd/autodiff: `checkGrads` (VJP against finite differences).
 * @module
 */
export * from "./checkGrads.ts";
