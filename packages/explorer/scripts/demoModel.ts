/**
 * The page's demo model: the MNIST demo's network (the deck's 1568-400-Σ detector, `pnpm demo`), taken from the
 * demo's cache under .cache/dtd/ when it is there — a fresh clone has none, so it is trained then (about two
 * minutes at the default 9000 steps; fewer steps train faster and detect worse) and cached for `pnpm demo` too.
 * Written next to the page as models/mnist-demo.json (with `metadata.imageShape` [1, 28, 56]) together with
 * models/mnist-samples.json, the first of the demo's held-out test pairs.
 * @module
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as E from "fp-ts/lib/Either.js";
import { stringifyModel } from "@dtd/model-io";
import { loadMnist, splitMnist, makePairs, PAIR_PIXELS, PAIR_SHAPE, RECIPE, type Hooks, obtainModel } from "@dtd/examples";

/** What to prepare. */
export interface DemoModelOptions {
  /** The folder the page serves (models/ is created in it). */
  readonly outDir: string;
  /** The demo's cache folder (`.cache/dtd` of the repository for `pnpm explorer`). */
  readonly cacheDir: string;
  readonly seed: number;
  readonly steps: number;
  /** Test pairs written for the page's "next MNIST test pair" button. */
  readonly samples: number;
}

/** What was written. */
export interface DemoModelFiles {
  readonly model: string;
  readonly samples: string;
  readonly fromCache: boolean;
}

/** Trains or reuses the demo's model and writes the page's two files. */
export const prepareDemoModel = (opts: DemoModelOptions, hooks: Hooks): E.Either<string, DemoModelFiles> => {
  const { train, test } = splitMnist(loadMnist(), { seed: opts.seed });
  const obtained = obtainModel({ seed: opts.seed, steps: opts.steps, cacheDir: opts.cacheDir, retrain: false }, RECIPE, train, hooks);
  if (E.isLeft(obtained)) return obtained;
  const dir = join(opts.outDir, "models");
  mkdirSync(dir, { recursive: true });
  const model = join(dir, "mnist-demo.json");
  const metadata = {
    name: `the MNIST demo's detector (1568-400-Σ, b ≤ 0; ${opts.steps} steps, seed ${opts.seed})`,
    description: "a digit 0–3 beside a distractor 4–9 in a 28 × 56 image: f(x) > 0 detects the 0–3 digit",
    imageShape: [...PAIR_SHAPE],
  };
  writeFileSync(model, stringifyModel(obtained.right.model, { tensors: "base64", metadata }));
  // The same held-out pairs as the demo's (its test set is drawn with seed + 3).
  const pairs = makePairs(test, { count: opts.samples, seed: opts.seed + 3 });
  const samples = join(dir, "mnist-samples.json");
  const list = pairs.meta.map((m, i) => ({
    x: Array.from(pairs.x.subarray(i * PAIR_PIXELS, (i + 1) * PAIR_PIXELS), (v) => Math.round(v * 255) / 255),
    caption: `${m.left.digit} | ${m.right.digit}${m.label === 1 ? ` (the 0–3 digit on the ${m.side})` : " (no 0–3 digit)"}`,
  }));
  // Pairs with a 0–3 digit first: the page opens on one.
  const ordered = [...list.filter((_, i) => pairs.meta[i]!.label === 1), ...list.filter((_, i) => pairs.meta[i]!.label !== 1)];
  writeFileSync(samples, JSON.stringify({ samples: ordered }));
  return E.right({ model, samples, fromCache: obtained.right.fromCache });
};
