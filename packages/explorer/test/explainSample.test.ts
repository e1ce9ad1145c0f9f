/**
 * One explanation as the page shows it, in Node: the deck's detection-pooling network (README numbers), a
 * classifier with a class to pick, a refusal and its lenient form, and the page's wording of the checks.
 */
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import * as L from "@dtd/layers";
import { explainSample } from "../src/explainSample.ts";
import { presets } from "../src/methods.ts";
import { consistencyText, rootsText } from "../src/page/report.ts";

const net = L.build([3], L.sequential(L.detection(T.of([1, -2, 2, 1, -1, 3], [3, 2]), T.of([-1, -0.5], [2])), L.sumPool()));
if (E.isLeft(net)) throw new Error(L.message(net.left));
const x = Float64Array.from([1, 2, 0.5]);
const spec = (id: keyof typeof presets) => presets[id].spec(1, [0, 1], []);

describe("explainSample", () => {
  test("z⁺ on the deck's network: the CLI README's numbers, consistent, roots checked", () => {
    const o = explainSample(net.right, x, spec("zplus"), { target: "argmax", lenient: false });
    if (E.isLeft(o)) throw new Error(o.left);
    expect(o.right.f).toBe(4.5);
    expect(Array.from(o.right.R)).toEqual([0.7, 3.371428571428571, 0.42857142857142855]);
    expect(o.right.explained).toBeUndefined();
    expect(consistencyText(o.right)).toBe("yes: conservative and positive");
    expect(rootsText(o.right)).toBe("all 2 active neurons: roots, on the segment, in the domain");
  });

  test("sensitivity analysis is positive but not conservative, and has no roots to check", () => {
    const o = explainSample(net.right, x, spec("sensitivity"), { target: "argmax", lenient: false });
    if (E.isLeft(o)) throw new Error(o.left);
    expect(consistencyText(o.right)).toBe("no: not conservative");
    expect(rootsText(o.right)).toBe("— (a baseline has no root points)");
  });

  test("a negative input is refused by z⁺ with the library's message; lenient explains and lists the violation", () => {
    const bad = Float64Array.from([1, -2, 0.5]);
    expect(explainSample(net.right, bad, spec("zplus"), { target: "argmax", lenient: false })).toEqual(
      E.left("precondition of rule zplus violated at layer 0 (dense), input unit 1 of sample 0: expected x ≥ 0, found -2"),
    );
    const o = explainSample(net.right, bad, spec("zplus"), { target: "argmax", lenient: true });
    if (E.isLeft(o)) throw new Error(o.left);
    expect(o.right.notes).toEqual(["precondition of rule zplus violated at layer 0 (dense), input unit 1 of sample 0: expected x ≥ 0, found -2"]);
  });

  test("a classifier: argmax or a chosen class; the baselines explain that class's score", () => {
    const clf = L.build([3], L.sequential(L.dense(T.of([1, 0, 0, 1, 0.5, 0.5], [3, 2]), T.of([0, -0.25], [2])), L.relu));
    if (E.isLeft(clf)) throw new Error(L.message(clf.left));
    const argmax = explainSample(clf.right, x, spec("zplus"), { target: "argmax", lenient: false });
    const second = explainSample(clf.right, x, spec("gradientXInput"), { target: 1, lenient: false });
    if (E.isLeft(argmax) || E.isLeft(second)) throw new Error("refused");
    expect(Array.from(argmax.right.outputs)).toEqual([1.25, 2]);
    expect(argmax.right.explained).toBe(1);
    expect(argmax.right.f).toBe(2);
    expect(second.right.f).toBe(2);
    expect(Array.from(second.right.R)).toEqual([0, 2, 0.25]);
    expect(explainSample(clf.right, x, spec("zplus"), { target: 2, lenient: false })).toEqual(E.left("expected a class in [0, 1], found 2"));
  });

  test("an input of the wrong size is refused", () => {
    expect(explainSample(net.right, Float64Array.from([1, 2]), spec("w2"), { target: "argmax", lenient: false })).toEqual(E.left("expected 3 input values (input shape [3]), found 2"));
  });
});
