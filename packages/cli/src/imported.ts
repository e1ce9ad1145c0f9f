/**
 * What an imported model (TF.js, ONNX) carries beyond its layers — the output activation it ended with
 * (dropped: dtd explains logits), the constant input scaling it applied first, its original input layout, the
 * import's notes — kept in a dtd model file's `metadata.imported` by `dtd import`, and read back leniently.
 * @module
 */
import type { IrModel } from "@dtd/import";

/** The facts of an import that explaining needs. */
export interface ImportedInfo {
  readonly source: string;
  readonly format: IrModel["format"];
  readonly outputActivation: IrModel["outputActivation"];
  /** x' = x·scale + offset per channel (one value for all when of length 1), applied before the dtd model. */
  readonly preprocessing?: { readonly scale: readonly number[]; readonly offset: readonly number[] };
  readonly inputLayout: IrModel["input"]["originalLayout"];
  readonly notes: readonly string[];
}

/** The facts of an IR. */
export const infoOf = (ir: IrModel, source: string): ImportedInfo => ({
  source,
  format: ir.format,
  outputActivation: ir.outputActivation,
  ...(ir.preprocessing === undefined ? {} : { preprocessing: ir.preprocessing }),
  inputLayout: ir.input.originalLayout,
  notes: ir.notes,
});

const numbers = (u: unknown): readonly number[] | undefined => (Array.isArray(u) && u.length > 0 && u.every((v) => typeof v === "number" && Number.isFinite(v)) ? u : undefined);
const oneOf = <A extends string>(u: unknown, xs: readonly A[]): A | undefined => (xs.includes(u as A) ? (u as A) : undefined);

/** The facts kept in a model file's metadata (`metadata.imported`), or undefined when absent or malformed. */
export const infoFromMetadata = (metadata: unknown): ImportedInfo | undefined => {
  if (typeof metadata !== "object" || metadata === null) return undefined;
  const m = (metadata as Readonly<Record<string, unknown>>)["imported"];
  if (typeof m !== "object" || m === null) return undefined;
  const r = m as Readonly<Record<string, unknown>>;
  const format = oneOf(r["format"], ["tfjs-layers", "tfjs-graph", "onnx"] as const);
  const outputActivation = oneOf(r["outputActivation"], ["none", "sigmoid", "softmax"] as const);
  const inputLayout = oneOf(r["inputLayout"], ["NHWC", "NCHW", "flat"] as const);
  if (format === undefined || outputActivation === undefined || inputLayout === undefined) return undefined;
  const p = r["preprocessing"] as Readonly<Record<string, unknown>> | undefined;
  const scale = numbers(p?.["scale"]);
  const offset = numbers(p?.["offset"]);
  const notes = Array.isArray(r["notes"]) ? r["notes"].filter((n): n is string => typeof n === "string") : [];
  return {
    source: typeof r["source"] === "string" ? r["source"] : "",
    format,
    outputActivation,
    ...(scale !== undefined && offset !== undefined && scale.length === offset.length ? { preprocessing: { scale, offset } } : {}),
    inputLayout,
    notes,
  };
};
