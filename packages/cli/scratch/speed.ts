import * as E from "fp-ts/lib/Either.js";
import { loadTitanic } from "../src/data/titanic.ts";
import { TITANIC_RECIPE, trainTitanic, scores } from "../src/titanic/network.ts";
import { accuracy, chooseThreshold } from "../src/demo/threshold.ts";
const seeds = Number(process.argv[2] ?? 3);
const scaling = (process.argv[3] ?? "minmax") as "minmax" | "standard";
for (let s = 0; s < seeds; s++) {
  const data = loadTitanic({ root: process.cwd() + "/../..", env: {} }, { seed: s, scaling });
  if (E.isLeft(data)) throw new Error(JSON.stringify(data.left));
  const D = data.right;
  const t0 = performance.now();
  const tr = trainTitanic(D.train.x, D.train.y, D.d, { recipe: TITANIC_RECIPE, seed: s });
  if (E.isLeft(tr)) throw new Error(tr.left);
  const t1 = performance.now();
  const m = tr.right.model;
  const th = chooseThreshold(scores(m, D.train.x, D.train.n, D.d), D.train.y);
  const acc = accuracy(scores(m, D.test.x, D.test.n, D.d), D.test.y, th.t);
  const g = accuracy(D.test.passengers.map((p) => (p.sex === "female" ? 1 : 0)), D.test.y, 0.5);
  console.log(s, `acc ${(100 * acc).toFixed(1)} gender ${(100 * g).toFixed(1)} best ${tr.right.bestEpoch}/${tr.right.epochsRun} steps ${tr.right.steps} ${((t1 - t0) / 1000).toFixed(2)} s`);
}
