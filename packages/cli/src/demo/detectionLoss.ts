/**
 * The training loss of a detection-pooling network, whose output f(x) = Σ_j x_j is ≥ 0 by construction
 * (Montavon et al. 2017, Sec. 3: f(x) > 0 expresses the presence of the object).
 *
 * With targets y ∈ {0, 1}, the loss of one sample is a hinge on the sum:
 *
 *   ℓ(f, y) = y · max(0, 1 − f) + (1 − y) · f,
 *
 * averaged over the batch. A positive costs nothing once f ≥ 1 (the detector only has to fire clearly, not hit
 * an exact value); a negative costs f itself (f ≥ 0, so this is max(0, f − 0)): every unit that fires on a
 * negative is pushed back towards silence. Compared with the squared error to 1/0, the positives' side has no
 * curvature, so the 400 summed units do not fight over an exact target, and SGD tolerates a larger step: on
 * the MNIST task it trains to a higher test accuracy in the same number of steps (measured in docs/mnist.md).
 * The squared error stays available for comparison.
 * @module
 */
import * as AD from "@dtd/autodiff";
import * as T from "@dtd/tensor";
import * as L from "@dtd/layers";

/** ℓ(f, y) = y·max(0, 1 − f) + (1 − y)·f, the mean over the batch; f and y of the same shape [N, 1]. */
export const detectionHinge: L.Loss = (output, target) => {
  const f = AD.value(output);
  if (!T.Shape.equals(f.shape, target.shape)) {
    T.fail({ _tag: "ShapeMismatch", op: "detectionHinge", expected: `targets of the output's shape ${T.showShape(f.shape)}`, found: T.showShape(target.shape) });
  }
  for (let i = 0; i < target.data.length; i++) {
    const y = target.data[i]!;
    if (y !== 0 && y !== 1) T.fail({ _tag: "InvalidArgument", op: "detectionHinge", expected: "targets 0 or 1", found: `${y} at flat index ${i}` });
  }
  const positives = AD.mul(target, AD.relu(AD.sub(1, output)));
  const negatives = AD.mul(AD.sub(1, target), output);
  return AD.mean(AD.add(positives, negatives));
};

/** The losses a run may choose from, by name. */
export const LOSSES = { hinge: detectionHinge, mse: L.meanSquaredError } as const;

/** The name of a loss. */
export type LossName = keyof typeof LOSSES;
