/**
 * Test helpers for @dtd/tensor: the shared float comparison and fast-check arbitraries.
 * @module
 */
export { type Tolerance, type Numeric, type CloseReport, allClose, expectAllClose } from "./allClose.ts";
