/**
 * Graph models: building (names, inputs, arity, shapes), every refusal with its message, forward passes by
 * position and by name, the new kinds' values computed by hand, and the chain a sequence of layers builds being
 * the sequential network it was before graphs, to the bit.
 */
import * as E from "fp-ts/lib/Either.js";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import { expectAllClose } from "@dtd/tensor/testing";
import * as AD from "@dtd/autodiff";
import * as L from "@dtd/layers";
import { Arb } from "@dtd/layers/testing";

const t = (data: number[], shape: number[]) => T.of(data, shape);
const built = (shape: number[], nodes: readonly L.NodeSpec[]): L.Model => {
  const m = L.build(shape, nodes);
  if (E.isLeft(m)) throw new Error(L.message(m.left));
  return m.right;
};
const refusal = (shape: number[], nodes: readonly L.NodeSpec[]): string => {
  const m = L.build(shape, nodes);
  return E.isLeft(m) ? L.message(m.left) : "built";
};

/** x → dense → relu → dense, plus the skip: relu(dense2(relu(dense1(x))) + x). */
const residual = (W1: T.Tensor, W2: T.Tensor): readonly L.NodeSpec[] => [
  L.node("fc1", L.dense(W1, T.zeros([2]))),
  L.node("act1", L.relu),
  L.node("fc2", L.dense(W2, T.of([0.5, -1], [2]))),
  L.node("sum", L.add, ["fc2", "input"]),
  L.node("out", L.relu),
];

describe("build", () => {
  test("a residual block: names, inputs, sources, shapes, consumers", () => {
    const m = built([2], residual(t([1, 0, 0, 1], [2, 2]), t([1, 0, 0, 1], [2, 2])));
    expect(m.nodes.map((n) => [n.name, n.layer.kind, n.inputs])).toEqual([
      ["fc1", "dense", ["input"]],
      ["act1", "relu", ["fc1"]],
      ["fc2", "dense", ["act1"]],
      ["sum", "add", ["fc2", "input"]],
      ["out", "relu", ["sum"]],
    ]);
    expect(m.sources).toEqual([[0], [1], [2], [3, 0], [4]]);
    expect(m.shapes).toEqual([[2], [2], [2], [2], [2], [2]]);
    expect(L.consumersOf(m)).toEqual([[0, 3], [1], [2], [3], [4], []]);
    expect([L.positionOf(m, "input"), L.positionOf(m, "sum"), L.positionOf(m, "nope")]).toEqual([0, 4, undefined]);
    expect(L.nameAt(m, 3)).toBe("fc2");
  });
  test("bare layers get default names (kind_index) and take the previous output", () => {
    const m = built([3], L.sequential(L.detection(T.zeros([3, 2]), T.zeros([2])), L.sumPool()));
    expect(m.nodes.map((n) => [n.name, n.inputs])).toEqual([
      ["dense_0", ["input"]],
      ["relu_1", ["dense_0"]],
      ["sumPool_2", ["relu_1"]],
    ]);
    expect(m.layers.map((l) => l.kind)).toEqual(["dense", "relu", "sumPool"]);
  });
  test("concat along channels, depthwise, global pooling, pad2d, batch norm: inferred shapes", () => {
    const m = built([2, 5, 5], [
      L.node("pad", L.pad2d([0, 1, 1, 0])),
      L.node("dw", L.depthwiseConv2d(T.zeros([2, 3, 3, 3]), T.zeros([6]), { stride: [2, 2] })),
      L.node("c1", L.conv2d(T.zeros([4, 2, 2, 2]), T.zeros([4]), { stride: [2, 2] }), ["input"]),
      L.node("c1p", L.pad2d([0, 0, 0, 0])),
      L.node("cat", L.concat(0), ["dw", "c1p"]),
      L.node("bn", L.batchNorm({ scale: T.ones([10]), shift: T.zeros([10]), mean: T.zeros([10]), variance: T.ones([10]) })),
      L.node("gap", L.globalAvgPool),
    ]);
    expect(m.shapes).toEqual([[2, 5, 5], [2, 6, 6], [6, 2, 2], [4, 2, 2], [4, 2, 2], [10, 2, 2], [10, 2, 2], [10]]);
  });
});

describe("build refuses, naming the layer", () => {
  const W = T.zeros([2, 2]);
  test("a duplicate name, the reserved name input, an empty name", () => {
    expect(refusal([2], [L.node("a", L.relu), L.node("a", L.relu)])).toBe('layer 1 "a" (relu) has the name of layer 0: expected unique names');
    expect(refusal([2], [L.node("input", L.relu)])).toBe('layer 0 "input" (relu) is named "input": expected another name ("input" is the model input)');
    expect(refusal([2], [L.node("", L.relu)])).toMatch(/has an empty name/);
  });
  test("an unknown input and a later one (a cycle)", () => {
    expect(refusal([2], [L.node("a", L.relu, ["b0"])])).toBe('layer 0 "a" (relu) takes input 0 "b0": expected the name of an earlier layer or "input", found no layer of that name');
    expect(refusal([2], [L.node("a", L.add, ["input", "b"]), L.node("b", L.relu, ["a"])])).toBe(
      'layer 0 "a" (add) takes input 1 "b" from layer 1: expected only earlier layers (layers in topological order, no cycle)',
    );
    expect(refusal([2], [L.node("a", L.relu, ["a"])])).toMatch(/takes input 0 "a" from layer 0: expected only earlier layers/);
  });
  test("the wrong number of inputs: add with its default input, relu with two", () => {
    expect(refusal([2], [L.relu, L.add])).toBe("layer 1 (add) has 1 input (the previous layer's output, by default): expected at least 2 inputs");
    expect(refusal([2], [L.node("r", L.relu, ["input", "input"])])).toBe('layer 0 "r" (relu) has 2 inputs: expected 1 input');
  });
  test("a layer nobody uses (a dead branch)", () => {
    expect(refusal([2], [L.node("dead", L.dense(W, T.zeros([2]))), L.node("out", L.relu, ["input"])])).toBe(
      'layer 0 "dead" (dense) is used by no later layer and is not the output: expected every layer to feed the output (a dead branch)',
    );
  });
  test("add of unequal shapes, concat of inputs that disagree off the axis, a bad axis", () => {
    expect(refusal([3], [L.node("d", L.dense(T.zeros([3, 2]), T.zeros([2]))), L.node("s", L.add, ["d", "input"])])).toBe(
      'layer 1 "s" (add) cannot take inputs of shapes [2], [3]: expected inputs of one shape, found [2] and [3] (input 1 differs from input 0)',
    );
    expect(refusal([1, 4, 4], [L.node("p", L.maxPool2d([2, 2])), L.node("c", L.concat(), ["p", "input"])])).toMatch(
      /cannot take inputs of shapes \[1, 2, 2\], \[1, 4, 4\]: expected inputs that agree on every axis but 0/,
    );
    expect(refusal([3], [L.node("c", L.concat(1), ["input", "input"])])).toMatch(/expected an axis in \[0, 0\] \(of the per-sample shape\), found 1/);
  });
  test("a max pool's padding: smaller than the window, so every window holds an input element", () => {
    expect(refusal([1, 4, 4], [L.maxPool2d([2, 2], [2, 2], { padding: [2, 0, 0, 0] })])).toBe(
      "layer 0 (maxPool2d) cannot take an input of shape [1, 4, 4]: expected a padding [top, bottom, left, right] of non-negative integers smaller than the window 2×2 (every window must hold an input element), found [2, 0, 0, 0]",
    );
  });
  test("new kinds' parameters: a depthwise bias, a batch norm variance, a clipped ReLU bound, a pad2d of rank 1", () => {
    expect(refusal([2, 3, 3], [L.depthwiseConv2d(T.zeros([2, 2, 1, 1]), T.zeros([2]))])).toMatch(/expected a bias of shape \[4\] \(channels × multiplier\), found \[2\]/);
    expect(refusal([2], [L.batchNorm({ scale: T.ones([2]), shift: T.zeros([2]), mean: T.zeros([2]), variance: t([1, -1], [2]), epsilon: 0.5 })])).toMatch(
      /expected variance \+ epsilon > 0 for every feature, found variance -1 at feature 1/,
    );
    expect(refusal([2], [L.clippedRelu(0)])).toMatch(/expected a finite maxValue > 0, found 0/);
    expect(refusal([4], [L.pad2d([1, 1, 1, 1])])).toMatch(/expected a CHW input of rank 3, found \[4\]/);
  });
});

describe("forward on graphs", () => {
  test("the residual block by hand, activations by position and by name", () => {
    const m = built([2], residual(t([1, 2, -1, 0], [2, 2]), t([1, 0, 0, -1], [2, 2])));
    const x = t([1, 1], [1, 2]);
    const pass = L.forward(m, x);
    // fc1: [1 − 1, 2 + 0] = [0, 2]; act1 [0, 2]; fc2: [0 + 0.5, −2 − 1] = [0.5, −3]; sum [1.5, −2]; out [1.5, 0]
    expectAllClose(pass.byName.get("fc2")!, [0.5, -3]);
    expectAllClose(pass.activations[4]!, [1.5, -2]);
    expectAllClose(pass.output, [1.5, 0]);
    expect(pass.byName.get("input")).toBe(x);
    expect([...pass.byName.keys()]).toEqual(["input", "fc1", "act1", "fc2", "sum", "out"]);
  });
  test("batch norm, clipped ReLU, pad2d, concat, global pooling by hand", () => {
    const bn = L.batchNorm({ scale: t([2, 1], [2]), shift: t([1, 0], [2]), mean: t([1, -1], [2]), variance: t([3, 0], [2]), epsilon: 1 });
    // (x − mean) / √(var + ε) · scale + shift: [(3 − 1)/2·2 + 1, (0 + 1)/1·1 + 0] = [3, 1]
    expectAllClose(L.forward(built([2], [bn]), t([3, 0], [1, 2])).output, [3, 1]);
    expectAllClose(L.forward(built([3], [L.clippedRelu(6)]), t([-1, 3, 9], [1, 3])).output, [0, 3, 6]);
    const img = t([1, 2, 3, 4], [1, 1, 2, 2]);
    expectAllClose(L.forward(built([1, 2, 2], [L.pad2d([1, 0, 0, 1])]), img).output, [0, 0, 0, 1, 2, 0, 3, 4, 0]);
    const cat = built([1, 2, 2], [L.node("a", L.relu), L.node("c", L.concat(), ["input", "a"]), L.node("g", L.globalMaxPool)]);
    expectAllClose(L.forward(cat, t([1, -2, 3, -4], [1, 1, 2, 2])).output, [3, 3]);
    expectAllClose(L.forward(built([1, 2, 2], [L.globalAvgPool]), img).output, [2.5]);
  });
  test("a depthwise convolution is a conv2d with block-diagonal filters", () => {
    const rng = T.Random.make(3);
    const W = T.Random.normalTensor(rng, [2, 2, 2, 2]);
    const b = T.Random.normalTensor(rng, [4]);
    const dense = T.zeros([4, 2, 2, 2]);
    for (let c = 0; c < 2; c++) for (let k = 0; k < 2; k++) for (let q = 0; q < 4; q++) dense.data[((c * 2 + k) * 2 + c) * 4 + q] = W.data[(c * 2 + k) * 4 + q]!;
    const x = T.Random.normalTensor(rng, [3, 2, 4, 5]);
    const opts = { stride: [2, 1] as [number, number], padding: [1, 0] as [number, number] };
    expectAllClose(L.forward(built([2, 4, 5], [L.depthwiseConv2d(W, b, opts)]), x).output, L.forward(built([2, 4, 5], [L.conv2d(dense, b, opts)]), x).output, { atol: 1e-12 });
  });
  test("gradients flow through the skip: ∂/∂x of relu(x + relu(x)) = 1 + 1[x > 0] where the sum is positive", () => {
    const m = built([3], [L.node("r", L.relu), L.node("s", L.add, ["input", "r"]), L.node("o", L.sumPool(), ["s"])]);
    const [y, pullback] = L.modelVjp(m, t([-1, 2, 0.5], [1, 3]));
    expectAllClose(pullback(T.onesLike(y))[0]!, [1, 2, 2]);
  });
});

describe("a sequence of layers is the chain it always was", () => {
  test("property: forward through the graph equals folding the layers, to the bit, named or not", () => {
    fc.assert(
      fc.property(Arb.widths({ min: 1, max: 4 }).chain((ws) => fc.tuple(Arb.mlp(ws), Arb.batch(3, [ws[0]!]))), ([layers, x]) => {
        const chain = built([x.shape[1]!], layers);
        const named = built(
          [x.shape[1]!],
          layers.map((l, i) => L.node(`n${i}`, l, [i === 0 ? "input" : `n${i - 1}`])),
        );
        let h: AD.Var = AD.constant(x);
        for (const l of layers) h = AD.constant(L.applyLayer(l, h).value);
        const a = L.forward(chain, x);
        expect(Array.from(a.output.data)).toEqual(Array.from(h.value.data));
        expect(Array.from(L.forward(named, x).output.data)).toEqual(Array.from(h.value.data));
        expect(chain.shapes).toEqual(named.shapes);
      }),
    );
  });
});
