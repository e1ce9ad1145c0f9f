/**
 * Turning a detector's score into a decision: predict "present" when f(x) > t, with the threshold t chosen on
 * training data only (the test data never influences it), then measure accuracy on held-out data.
 * @module
 */

/** A decision threshold and the training accuracy it reaches. */
export interface Threshold {
  readonly t: number;
  readonly trainAccuracy: number;
}

/**
 * The threshold that maximises accuracy of `f > t` on (scores, labels ∈ {0, 1}). Candidates are the midpoints
 * between consecutive distinct sorted scores and one below the smallest; ties go to the smallest such t. O(n log n).
 */
export const chooseThreshold = (scores: ArrayLike<number>, labels: ArrayLike<number>): Threshold => {
  const n = scores.length;
  if (n === 0 || labels.length !== n) {
    throw new RangeError(`chooseThreshold: expected as many labels as scores (at least one), found ${n} scores and ${labels.length} labels`);
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let positives = 0;
  for (let i = 0; i < n; i++) positives += labels[i] === 1 ? 1 : 0;
  // Below every score, everything is predicted positive: right on the positives.
  let right = positives;
  let best = right;
  let bestT = scores[order[0]!]! - 1;
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    // Moving t past score i makes sample i negative.
    right += labels[i] === 1 ? -1 : 1;
    const next = k + 1 < n ? scores[order[k + 1]!]! : Infinity;
    if (next === scores[i]) continue;
    if (right > best) {
      best = right;
      bestT = next === Infinity ? scores[i]! : (scores[i]! + next) / 2;
    }
  }
  return { t: bestT, trainAccuracy: best / n };
};

/** The share of samples with (score > t) = (label = 1). */
export const accuracy = (scores: ArrayLike<number>, labels: ArrayLike<number>, t: number): number => {
  if (scores.length !== labels.length || scores.length === 0) {
    throw new RangeError(`accuracy: expected as many labels as scores (at least one), found ${scores.length} scores and ${labels.length} labels`);
  }
  let right = 0;
  for (let i = 0; i < scores.length; i++) if (scores[i]! > t === (labels[i] === 1)) right++;
  return right / scores.length;
};
