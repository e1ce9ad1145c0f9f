import * as E from "fp-ts/lib/Either.js";
import { runTitanic } from "../src/titanic/pipeline.ts";
import { titanicSummary } from "../src/titanic/index.ts";
import { silent } from "../src/demo/pipeline.ts";
const scaling = (process.argv[2] ?? "minmax") as "minmax" | "standard";
const splits = Number(process.argv[3] ?? 3), inits = Number(process.argv[4] ?? 1);
const r = runTitanic({ root: process.cwd() + "/../..", seed: 0, outDir: `/tmp/t19/out-${scaling}`, scaling, splits, inits, env: {} }, silent);
if (E.isLeft(r)) throw new Error(r.left);
console.log(titanicSummary(r.right).join("\n"));
