// A user's TypeScript file: every published package by its public name, type-checked against the installed
// .d.ts files (pack-and-install test). Node-only entry points (@dtd/model-io/file, @dtd/viz's Png, @dtd/datasets/node, @dtd/cli)
// need @types/node, as in any Node project.
import * as E from "fp-ts/lib/Either.js";
import { pipe } from "fp-ts/lib/function.js";
import * as T from "@dtd/tensor";
import { expectAllClose } from "@dtd/tensor/testing";
import * as AD from "@dtd/autodiff";
import * as L from "@dtd/layers";
import * as DT from "@dtd/deep-taylor";
import type { Consistency } from "@dtd/deep-taylor";
import { parseModel, stringifyModel, type DecodedModel, type ModelFileError } from "@dtd/model-io";
import { readModelFile } from "@dtd/model-io/file";
import { Heatmap } from "@dtd/viz";
import * as Png from "@dtd/viz/png";
import { memoryIo, run } from "@dtd/cli";
import * as P from "@dtd/parallel";
import * as D from "@dtd/datasets";
import { readTitanic } from "@dtd/datasets/node";

const W: T.Tensor<[3, 2], "float64"> = T.of([1, -2, 2, 1, -1, 3], [3, 2]);
const x: T.Tensor<[1, 3], "float64"> = T.of([1, 2, 0.5], [1, 3]);
const y: T.Tensor<[1, 2], "float64"> = T.matmul(x, W);
const g: AD.Var = AD.grad((v: AD.Var) => AD.sum(AD.square(v)))(x);

const model: E.Either<L.LayerError, L.Model> = L.build([3], L.sequential(L.detection(W, T.of([-1, -0.5], [2])), L.sumPool()));
const explained: E.Either<string, readonly Consistency.SampleConsistency[]> = pipe(
  model,
  E.mapLeft(L.message),
  E.chain((m) => pipe(DT.explain(m, x, DT.uniform(DT.deriveRule(DT.zPlus))), E.mapLeft(DT.message))),
  E.map((e: DT.Explanation) => DT.Consistency.perSample(e.f, e.R)),
);

const decoded: E.Either<ModelFileError, DecodedModel> = parseModel('{"format": "dtd-model", "version": 1, "inputShape": [3], "layers": []}');
const text: string = E.isRight(model) ? stringifyModel(model.right) : "";
const fromFile: E.Either<ModelFileError, DecodedModel> = readModelFile("net.json");
const png: Uint8Array = Png.encodePng(Heatmap.relevance([0, 1, -1, 0.5], { height: 2, width: 2 }));
const exitCode: Promise<number> = run(["--version"], memoryIo());
// @dtd/parallel resolves to its Node module here (worker_threads): the same API as the browser's.
const many: Promise<E.Either<P.ParallelError, P.Outcome[]>> | undefined = E.isRight(model) ? P.explainMany(model.right, [Float64Array.of(1, 2, 0.5)], P.uniform(P.zPlus), { workers: 2 }) : undefined;
const table: E.Either<D.DataError, D.CsvTable> = D.parseCsv("a,b\n1,2\n");
const passengers: E.Either<D.DataError, { readonly passengers: D.Passenger[] }> = readTitanic({ root: ".", path: "train.csv" });

expectAllClose(y, T.of([4, 0.5], [1, 2]), { atol: 0, rtol: 0 });
export { g, explained, decoded, text, fromFile, png, exitCode, many, table, passengers };
