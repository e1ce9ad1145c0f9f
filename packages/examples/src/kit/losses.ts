/**
 * The losses a detection-pooling experiment may train with, by name: `detectionHinge` (the default; @dtd/layers'
 * training code, Montavon et al. 2017, Sec. 3) and the squared error, kept for comparison.
 * @module
 */
import * as L from "@dtd/layers";

/** The losses a run may choose from, by name. */
export const LOSSES = { hinge: L.detectionHinge, mse: L.meanSquaredError } as const;

/** The name of a loss. */
export type LossName = keyof typeof LOSSES;
