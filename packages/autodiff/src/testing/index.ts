/**
 * Test helpers for @dtd/autodiff: `checkGrads` (VJP against finite differences).
 * @module
 */
export { type CheckGradsOptions, type CheckGradsReport, checkGrads, assertGrads } from "./checkGrads.ts";
