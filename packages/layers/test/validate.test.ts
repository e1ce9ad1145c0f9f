/**
 * What `build` refuses beyond shapes (issue 12, cases 7 and 11): an input shape with a zero extent, parameters
 * that are not finite — whichever public constructor made the layer — and parameters of two dtypes; and what
 * `checkInput` refuses: a batch in another dtype than the model's.
 */
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import { unsafeMake } from "@dtd/tensor/unsafe";
import * as L from "@dtd/layers";

/** `t` with `v` at flat index `at`, through unsafeMake, which does not validate (as a kernel or a diverged training might). */
const withValue = (t: T.Tensor, at: number, v: number): T.Tensor => {
  const data = t.data.slice();
  data[at] = v;
  return unsafeMake(t.shape, data);
};

const messageOf = (m: E.Either<L.LayerError, L.Model>): string => (E.isLeft(m) ? L.message(m.left) : "built");

describe("build refuses", () => {
  test("an input shape with a zero extent ([0], [1, 0, 3]), as model files do", () => {
    expect(messageOf(L.build([0], [L.relu]))).toBe("layer -1 (input) is invalid: expected a non-empty shape of positive integers, found [0]");
    expect(messageOf(L.build([1, 0, 3], [L.flatten]))).toMatch(/positive integers, found \[1, 0, 3\]/);
    expect(messageOf(L.build([], []))).toMatch(/non-empty shape/);
  });
  test.each([NaN, Infinity, -Infinity])("a parameter %s, through every constructor with parameters", (v) => {
    const cases: readonly [string, L.Sequential, readonly number[], RegExp][] = [
      ["dense W", [L.dense(withValue(T.zeros([3, 2]), 4, v), T.zeros([2]))], [3], new RegExp(`layer 0 \\(dense\\).*found ${v} in W at flat index 4`)],
      ["dense b", [L.dense(T.zeros([3, 2]), withValue(T.zeros([2]), 1, v))], [3], new RegExp(`found ${v} in b at flat index 1`)],
      ["detection", [...L.detection(withValue(T.zeros([3, 2]), 0, v), T.zeros([2]))], [3], /layer 0 \(dense\)/],
      ["conv2d", [L.conv2d(withValue(T.zeros([2, 1, 2, 2]), 7, v), T.zeros([2]))], [1, 3, 3], new RegExp(`layer 0 \\(conv2d\\).*found ${v} in W at flat index 7`)],
      ["scaleShift", [L.relu, L.scaleShift(T.ones([3]), withValue(T.zeros([3]), 2, v))], [3], new RegExp(`layer 1 \\(scaleShift\\).*found ${v} in shift at flat index 2`)],
    ];
    for (const [, layers, shape, expected] of cases) expect(messageOf(L.build(shape, layers))).toMatch(expected);
  });
  test("a Dense layer whose W is float32 and b float64, and two layers of different dtypes", () => {
    expect(messageOf(L.build([2], [L.dense(T.zeros([2, 2], "float32"), T.zeros([2]))]))).toBe(
      "layer 0 (dense) is invalid: expected b in float32 like every parameter (the dtype of layer 0 (dense) W), found float64",
    );
    const two = L.build([2], [L.dense(T.zeros([2, 2]), T.zeros([2])), L.relu, L.dense(T.zeros([2, 1], "float32"), T.zeros([1], "float32"))]);
    expect(messageOf(two)).toMatch(/layer 2 \(dense\) is invalid: expected W in float64 .*found float32/);
  });
});

describe("checkInput and forward", () => {
  const model32 = L.build([2], [L.dense(T.ones([2, 1], "float32"), T.zeros([1], "float32"))]);
  test("a float64 batch for a float32 model is a Left (forward throws a LayerException saying so, not a kernel's dtype error)", () => {
    if (E.isLeft(model32)) throw new Error(L.message(model32.left));
    const x = T.of([1, 2], [1, 2]);
    const c = L.checkInput(model32.right, x);
    expect(E.isLeft(c) && L.message(c.left)).toBe('input dtype mismatch: the model\'s parameters are float32, found a float64 batch (convert it with T.astype(x, "float32"))');
    expect(() => L.forward(model32.right, x)).toThrow(L.LayerException);
    expect(L.forward(model32.right, T.astype(x, "float32")).output.data[0]).toBe(3);
  });
  test("a model without parameters takes either dtype", () => {
    const m = L.build([2], [L.relu, L.sumPool()]);
    if (E.isLeft(m)) throw new Error(L.message(m.left));
    expect(L.modelDType(m.right)).toBeUndefined();
    expect(E.isRight(L.checkInput(m.right, T.of([1, 2], [1, 2], "float32")))).toBe(true);
    expect(E.isRight(L.checkInput(m.right, T.of([1, 2], [1, 2])))).toBe(true);
  });
});
