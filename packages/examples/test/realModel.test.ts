/**
 * The real-model example on one face: dtd's import of @vladmandic/human's anti-spoofing CNN gives TensorFlow.js's
 * logit, and the explanation with biases as relevance sinks is conservative (Σ R + absorbed = f) and positive.
 */
import * as E from "fp-ts/lib/Either.js";
import { expect, test } from "vitest";
import { expectAllClose } from "@dtd/tensor/testing";
import { FACES } from "../src/realModel/faces.ts";
import { runRealModel } from "../src/realModel/index.ts";

test("one face of sample1.jpg: the logit matches tfjs, Σ R + absorbed = f, R ≥ 0, the strict rules refuse the positive biases", async () => {
  const r = await runRealModel(FACES.slice(0, 1));
  if (E.isLeft(r)) throw new Error(r.left.message);
  const face = r.right[0]!;
  expectAllClose([face.dtd32], [face.tfjs], { rtol: 1e-5, atol: 1e-6 });
  expectAllClose([face.dtd64], [face.tfjs], { rtol: 1e-5, atol: 1e-6 });
  expect(face.f).toBeGreaterThan(0);
  expectAllClose([face.sumR + face.absorbed], [face.f], { rtol: 1e-9 });
  expect(face.minR).toBeGreaterThanOrEqual(0);
  expect(face.absorbed).toBeGreaterThanOrEqual(0);
  expect(face.strict).toMatch(/expected a bias b ≤ 0, found/);
});
