/**
 * Why dtd refuses the ops real networks use beyond its subset, by op name (ONNX and TF spell most of them
 * alike): deep Taylor decomposition here explains networks of affine layers (dense, convolutions), ReLU-type
 * units, pooling, sums and concatenations (Montavon et al. 2017, Sec. 4–5); anything else would be imported as
 * a silently different function or explained by a rule no one derived. The reasons name the architectures that
 * use each op, so that a refusal says what to change.
 * @module
 */

/** Why a product of two activations is refused: no rule of dtd's redistributes it. */
export const GATE =
  "dtd explains networks of affine layers, ReLU-type units, pooling, sums and concatenations, and derives no deep Taylor rule for a product of two activations (a gate: squeeze-and-excitation, SiLU/Swish x·σ(x), HardSwish x·ReLU6(x + 3)/6)";

const smooth = "a smooth nonlinearity: dtd's rules are derived for ReLU-type units (piecewise linear, with their root at the hinge)";
const leaky = "a ReLU that lets negative inputs through with a slope: dtd's ReLU-type units pass nothing below 0 (their deep Taylor roots lie at the hinge)";
const slicing = "a slice of an activation (e.g. ShuffleNet's channel split): dtd's graphs have no slicing layer";
const upsampling = "upsampling: dtd's graphs have no upsampling layer";
const plumbing = "tensor plumbing on activations (a detector's post-processing — anchors, non-maximum suppression — or upsampling by stacking): dtd's graphs have no such layer; import the network's raw head instead (its output node, by name)";
const quantized = "quantized activations (integer arithmetic with rounding): dtd explains the float model — export it without activation quantization (weight-only quantization, DequantizeLinear of the weights, is read)";
const selfNormalising = "normalisation by the input's own statistics: not an affine map of the input, which dtd cannot express";

/** The reason per op name. */
const reasons: Readonly<Record<string, string>> = {
  HardSigmoid: `max(0, min(1, αx + β)) gates activations (MobileNetV3's squeeze-and-excitation and HardSwish): ${GATE}`,
  HardSwish: `x·ReLU6(x + 3)/6 (MobileNetV3) multiplies an activation by a function of itself: ${GATE}`,
  Mish: `x·tanh(softplus(x)) multiplies an activation by a function of itself: ${GATE}`,
  Swish: `x·σ(x) multiplies an activation by a function of itself: ${GATE}`,
  PRelu: leaky,
  Prelu: leaky,
  LeakyRelu: leaky,
  Elu: smooth,
  Selu: smooth,
  Celu: smooth,
  Gelu: smooth,
  Erf: smooth,
  Tanh: smooth,
  Softplus: smooth,
  Softsign: smooth,
  Exp: smooth,
  Log: smooth,
  Sqrt: smooth,
  Pow: smooth,
  Transpose: "a transpose of activations (e.g. ShuffleNet's channel shuffle): dtd's graphs have no permutation layer",
  Split: slicing,
  SplitV: slicing,
  Slice: slicing,
  StridedSlice: slicing,
  Gather: slicing,
  GatherV2: slicing,
  Resize: upsampling,
  Upsample: upsampling,
  ResizeBilinear: upsampling,
  ResizeNearestNeighbor: upsampling,
  ConvTranspose: "a transposed convolution (upsampling): dtd's graphs have no transposed convolution layer",
  Conv2DBackpropInput: "a transposed convolution (upsampling): dtd's graphs have no transposed convolution layer",
  // Tensor plumbing on activations: what detectors' post-processing (anchors, non-maximum suppression) and
  // stacking-based upsampling are made of.
  Cast: plumbing,
  ExpandDims: plumbing,
  Pack: plumbing,
  Unpack: plumbing,
  Tile: plumbing,
  TopKV2: plumbing,
  NonMaxSuppressionV5: plumbing,
  // Quantized inference (activations quantized too): only weight-only quantization (DequantizeLinear of constants) is read.
  QuantizeLinear: quantized,
  DequantizeLinear: quantized,
  QLinearConv: quantized,
  QLinearMatMul: quantized,
  ConvInteger: quantized,
  MatMulInteger: quantized,
  DynamicQuantizeLinear: quantized,
  // Keras layer classes (TF.js layers models).
  LeakyReLU: leaky,
  PReLU: leaky,
  ELU: smooth,
  ThresholdedReLU: "a ReLU with its hinge moved away from 0: dtd's ReLU-type units have their root at 0",
  Multiply: `a product of activations (squeeze-and-excitation's gate): ${GATE}`,
  UpSampling2D: upsampling,
  Conv2DTranspose: "a transposed convolution (upsampling): dtd's graphs have no transposed convolution layer",
  Permute: "a permutation of axes: dtd's graphs have no permutation layer",
  Cropping2D: "cropping: dtd's graphs have no cropping layer",
  Subtract: "a difference of two activations: dtd's graphs add activations, and a difference would need signed relevance",
  Maximum: "the maximum of several activations: dtd's graphs have no elementwise maximum across branches",
  Minimum: "the minimum of several activations: dtd's graphs have no elementwise minimum across branches",
  Average: "the average of several activations: dtd's graphs add activations (an Add then a constant scale would be exact, but is not written here)",
  Lambda: "a Lambda layer: its Python function is not in the file, so what it computes is unknown",
  Conv1D: "a 1-D convolution: dtd reads images (H, W, C) and vectors",
  LSTM: "a recurrent layer: dtd explains feed-forward networks",
  GRU: "a recurrent layer: dtd explains feed-forward networks",
  SimpleRNN: "a recurrent layer: dtd explains feed-forward networks",
  Embedding: "an embedding lookup: dtd explains networks of real-valued inputs",
  LRN: "local response normalisation divides each activation by a function of its neighbours: not an affine map, which dtd cannot express",
  InstanceNormalization: selfNormalising,
  LayerNormalization: selfNormalising,
  MeanVarianceNormalization: selfNormalising,
};

/** Why op (or Keras layer class) `op` is not imported, when it is one real networks use; else undefined. */
export const knownReason = (op: string): string | undefined => reasons[op];

/** Why op `op` is not imported: its own reason, or the list of what is. */
export const unsupportedReason = (op: string, supported: readonly string[]): string =>
  reasons[op] ?? `dtd does not import ${op} nodes (supported: ${supported.join(", ")})`;
