/**
 * Test helpers for @dtd/layers: fast-check arbitraries of layers, models and inputs.
 * @module
 */
export * as Arb from "./arbitraries.ts";
