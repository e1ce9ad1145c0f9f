/**
 * The demo's held-out test pairs as a data set for `dtd explain --input` (`dtd demo --pairs FILE`): the pairs its
 * accuracy is measured on (2000 by default), as a .npy array [N, 1568] of float64 (the pixels exactly) or as
 * JSONL (one pair per line, a JSON array of 1568 numbers).
 * @module
 */
import { writeFileSync } from "node:fs";
import { extname } from "node:path";
import * as E from "fp-ts/lib/Either.js";
import { encodeNpy } from "@dtd/cli/blocks";
import { PAIR_PIXELS, splitMnist } from "@dtd/datasets";
import { loadMnist } from "@dtd/datasets/node";
import { type DemoOptions, testPairs } from "./pipeline.ts";

/** Writes the test pairs of a run with these options to `path` (.npy or .jsonl); Right: how many. */
export const writeTestPairs = (path: string, opts: Pick<DemoOptions, "seed" | "accuracyCount">): E.Either<string, number> => {
  const ext = extname(path).toLowerCase();
  if (ext !== ".npy" && ext !== ".jsonl") return E.left(`--pairs: expected a .npy or .jsonl file name, found ${path}`);
  const set = testPairs(splitMnist(loadMnist(), { seed: opts.seed }).test, opts);
  try {
    if (ext === ".npy") writeFileSync(path, encodeNpy(set.x, [set.count, PAIR_PIXELS]));
    else {
      const lines: string[] = [];
      for (let i = 0; i < set.count; i++) lines.push(JSON.stringify(Array.from(set.x.subarray(i * PAIR_PIXELS, (i + 1) * PAIR_PIXELS))));
      writeFileSync(path, `${lines.join("\n")}\n`);
    }
  } catch (u) {
    return E.left(`--pairs: cannot write ${path}: ${u instanceof Error ? u.message : String(u)}`);
  }
  return E.right(set.count);
};
