/**
 * Test helpers for @dtd/tensor: the shared float comparison and fast-check arbitraries.
 * @module
 */
export * from "./allClose.ts";
