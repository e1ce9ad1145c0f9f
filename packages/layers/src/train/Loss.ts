/**
 * Losses on a batch: differentiable scalar functions of the model's output (a Var, so gradients flow to the
 * parameters) and a constant target, built from @dtd/autodiff ops and averaged over the batch.
 *
 * Shapes are checked before any arithmetic; a mismatch is a programmer error and throws a TensorException that
 * says what was expected and what was found.
 * @module
 */
import * as AD from "@dtd/autodiff";
import * as T from "@dtd/tensor";
import { unsafeMake } from "@dtd/tensor/unsafe";

/** A loss: output `[N, ...]` and target ↦ a scalar Var, the mean over the batch. */
export type Loss = (output: AD.Input, target: T.Tensor) => AD.Var;

const valueOf = (x: AD.Input): T.Tensor => AD.value(x);

const sameShape = (op: string, output: T.Tensor, target: T.Tensor): void => {
  if (!T.Shape.equals(output.shape, target.shape)) {
    T.fail({
      _tag: "ShapeMismatch",
      op,
      expected: `a target of the output's shape ${T.showShape(output.shape)}`,
      found: T.showShape(target.shape),
    });
  }
};

const batched = (op: string, output: T.Tensor): number => {
  if (output.shape.length < 1 || output.shape[0]! < 1) {
    T.fail({ _tag: "ShapeMismatch", op, expected: "an output batch [N, ...] with N ≥ 1", found: T.showShape(output.shape) });
  }
  return output.shape[0]!;
};

/**
 * Mean squared error, `(1/M) Σ (y − t)²` over all M = N·d elements of the batch (for a single output, the
 * mean over the batch of (y − t)²: the deck's ⟨(R̂ − R)²⟩).
 */
export const meanSquaredError: Loss = (output, target) => {
  const y = valueOf(output);
  batched("meanSquaredError", y);
  sameShape("meanSquaredError", y, target);
  return AD.mean(AD.square(AD.sub(output, target)));
};

/** One-hot rows `[N, C]` from integer labels, checked to lie in [0, C). */
const oneHot = (op: string, labels: T.Tensor, n: number, classes: number, dtype: T.DType): T.Tensor => {
  const ok = labels.data.length === n && (labels.shape.length === 1 || (labels.shape.length === 2 && labels.shape[1] === 1));
  if (!ok) T.fail({ _tag: "ShapeMismatch", op, expected: `integer class labels of shape [${n}] or [${n}, 1]`, found: T.showShape(labels.shape) });
  for (let i = 0; i < n; i++) {
    const c = labels.data[i]!;
    if (!Number.isInteger(c) || c < 0 || c >= classes) {
      T.fail({ _tag: "InvalidArgument", op, expected: `an integer class label in [0, ${classes - 1}]`, found: `${c} at sample ${i}` });
    }
  }
  const out = T.alloc(dtype, n * classes);
  for (let i = 0; i < n; i++) out[i * classes + labels.data[i]!] = 1;
  return unsafeMake([n, classes], out);
};

/**
 * Softmax cross-entropy on logits `z` `[N, C]` with integer labels `c` (`[N]` or `[N, 1]`):
 * `(1/N) Σ_n −log softmax(z_n)_{c_n} = (1/N) Σ_n (log Σ_k e^{z_nk − m_n} − (z_{n c_n} − m_n))`,
 * with the row maximum m_n subtracted (and its gradient stopped: the loss does not depend on it) so that no
 * exponential overflows.
 */
export const softmaxCrossEntropy: Loss = (logits, labels) => {
  const op = "softmaxCrossEntropy";
  const z = valueOf(logits);
  if (z.shape.length !== 2 || z.shape[0]! < 1 || z.shape[1]! < 1) {
    T.fail({ _tag: "ShapeMismatch", op, expected: "logits of shape [N, C] with N, C ≥ 1", found: T.showShape(z.shape) });
  }
  const [n, classes] = z.shape as [number, number];
  const target = oneHot(op, labels, n, classes, z.dtype);
  const m = AD.stopGradient(T.max(z, { axes: 1, keepDims: true }));
  const shifted = AD.sub(logits, m);
  const logSumExp = AD.log(AD.sum(AD.exp(shifted), { axes: 1, keepDims: true }));
  const logProb = AD.sub(shifted, logSumExp);
  return AD.mul(AD.sum(AD.mul(logProb, target)), -1 / n);
};

/**
 * softplus(z) = log(1 + eᶻ) = max(z, 0) + log(1 + e^{−|z|}), stable for every z. Written as
 * `relu(z) + log(1 + exp(min(z, −z)))`: at z = 0 the ReLU's subgradient is 0 and min passes its gradient to its
 * first argument (+1), so the derivative there is σ(0) = ½, as it should be (|z| with subgradient 0 would give 0).
 */
export const softplus = (z: AD.Input): AD.Var => AD.add(AD.relu(z), AD.log(AD.add(1, AD.exp(AD.minimum(z, AD.neg(z))))));

/**
 * Binary cross-entropy on logits z with targets y ∈ [0, 1] of the same shape, the mean over all elements of
 * `−y log σ(z) − (1 − y) log(1 − σ(z)) = max(z, 0) − z·y + log(1 + e^{−|z|})` (the stable form).
 */
export const binaryCrossEntropyWithLogits: Loss = (logits, targets) => {
  const op = "binaryCrossEntropyWithLogits";
  const z = valueOf(logits);
  batched(op, z);
  sameShape(op, z, targets);
  for (let i = 0; i < targets.data.length; i++) {
    const y = targets.data[i]!;
    if (!(y >= 0 && y <= 1)) T.fail({ _tag: "InvalidArgument", op, expected: "targets in [0, 1]", found: `${y} at flat index ${i}` });
  }
  return AD.mean(AD.sub(softplus(logits), AD.mul(logits, targets)));
};

/**
 * The training loss of a detection-pooling network, whose output f(x) = Σ_j x_j is ≥ 0 by construction
 * (Montavon et al. 2017, Sec. 3: f(x) > 0 expresses the presence of the object). With targets y ∈ {0, 1}, the
 * loss of one sample is a hinge on the sum, averaged over the batch:
 *
 *   ℓ(f, y) = y · max(0, 1 − f) + (1 − y) · f.
 *
 * A positive costs nothing once f ≥ 1 (the detector only has to fire clearly, not hit an exact value); a negative
 * costs f itself (f ≥ 0, so this is max(0, f − 0)): every unit that fires on a negative is pushed back towards
 * silence. Compared with the squared error to 1/0, the positives' side has no curvature, so the 400 summed units
 * do not fight over an exact target, and SGD tolerates a larger step: on the deck's MNIST task it trains to a
 * higher test accuracy in the same number of steps (measured in docs/mnist.md). f and y have the same shape.
 */
export const detectionHinge: Loss = (output, target) => {
  const op = "detectionHinge";
  const f = valueOf(output);
  if (!T.Shape.equals(f.shape, target.shape)) {
    T.fail({ _tag: "ShapeMismatch", op, expected: `targets of the output's shape ${T.showShape(f.shape)}`, found: T.showShape(target.shape) });
  }
  for (let i = 0; i < target.data.length; i++) {
    const y = target.data[i]!;
    if (y !== 0 && y !== 1) T.fail({ _tag: "InvalidArgument", op, expected: "targets 0 or 1", found: `${y} at flat index ${i}` });
  }
  const positives = AD.mul(target, AD.relu(AD.sub(1, output)));
  const negatives = AD.mul(AD.sub(1, target), output);
  return AD.mean(AD.add(positives, negatives));
};
