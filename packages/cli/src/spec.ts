/**
 * The flags that `dtd explain` and `dtd check` share, and what they mean: which method, which deep Taylor rule at
 * which node (a composite: `--rule` for every affine node, `--first-rule` for those that read the input), the box
 * of the zᵇ-rule, max pooling and add nodes. Everything that can be checked without the model is checked first, as usage
 * errors (exit 2); bounds read from files are checked against the model afterwards.
 * @module
 */
import { existsSync } from "node:fs";
import * as E from "fp-ts/lib/Either.js";
import * as T from "@dtd/tensor";
import * as L from "@dtd/layers";
import * as DT from "@dtd/deep-taylor";
import * as P from "@dtd/parallel/core";
import { type CliError, failure, usage } from "./CliError.ts";
import type { Flags, Values } from "./Command.ts";
import { imageFlags, parseImageFlags } from "./imageFlags.ts";
import { isNumeral, readNumbersFile } from "./jsonNumbers.ts";
import type { PhotoPrep } from "./photoInput.ts";
import { parseShape } from "./shapeFlag.ts";

/** The deep Taylor rules by their command-line names (Montavon et al. 2017, Sec. 3). */
export const RULES = ["w2", "zplus", "zb"] as const;
export type RuleName = (typeof RULES)[number];

/** Explanation methods: deep Taylor decomposition and the baselines it is compared with. */
export const METHODS = ["deep-taylor", "sensitivity", "taylor", "gradxinput"] as const;
export type Method = (typeof METHODS)[number];

/** Max pooling modes by their command-line names. */
export const MAXPOOL = { winner: "winnerTakeAll", proportional: "proportional" } as const satisfies Record<string, DT.MaxPoolMode>;
export type MaxPoolName = keyof typeof MAXPOOL;

/** The flags shared by `explain` and `check`. */
export const explainFlags = {
  model: { type: "string", value: "FILE", description: "the model file (dtd-model JSON, see docs/model-format.md)" },
  input: {
    type: "string",
    value: "FILE",
    description: "ONE sample: a JSON array of numbers in the model's input layout (CHW for images; flat, or nested and flattened row-major), or a PNG for image models",
  },
  rule: { type: "string", value: "RULE", choices: RULES, description: "the rule of every dense/conv2d/depthwiseConv2d layer (required with --method deep-taylor)" },
  "first-rule": { type: "string", value: "RULE", choices: RULES, description: "the rule of the first such layers (those that read the input), overriding --rule there" },
  "rule-at": {
    type: "string",
    value: "NODE=RULE,…",
    description: "per node: the rule of the named dense/conv2d/depthwiseConv2d nodes (comma-separated), overriding --first-rule and --rule there",
  },
  low: {
    type: "string",
    value: "L",
    description: "zb: the box's lower bound l ≤ 0, a number or the path of a JSON array (one bound per input unit)",
  },
  high: { type: "string", value: "H", description: "zb: the box's upper bound h ≥ 0, a number or the path of a JSON array" },
  method: { type: "string", value: "METHOD", choices: METHODS, description: "deep-taylor, or a baseline: sensitivity (∂f/∂x)², taylor (simple Taylor), gradxinput (gradient × input)" },
  maxpool: { type: "string", value: "MODE", choices: ["winner", "proportional"], description: "how max pooling passes relevance down: to each window's winner (default) or proportionally" },
  add: {
    type: "string",
    value: "MODE",
    choices: ["proportional", "rules"],
    description: "how an add node (a residual sum) splits relevance: in proportion to its inputs (default), or by its inputs' rule denominators (one eq. (4) unit with the layers before it)",
  },
  target: {
    type: "string",
    value: "K",
    description: "for a model with several outputs (e.g. class scores): the output to explain, an index from 0 or argmax (default: the model must end in one score)",
  },
  lenient: { type: "boolean", description: "report violated preconditions as warnings and explain anyway" },
  "output-node": {
    type: "string",
    value: "NAME",
    description: "for a TF.js or ONNX model with several outputs (heads): the one to explain, by name (an ONNX output, a graph signature key or node, a Keras output layer)",
  },
  "input-shape": {
    type: "string",
    value: "SHAPE",
    description: "for a TF.js or ONNX model whose file leaves its input size unknown: the per-sample shape in the file's layout (e.g. 3,224,224 for ONNX, 224,224,3 for TF.js)",
  },
  "bias-sink": {
    type: "boolean",
    description: "biases as relevance sinks (real models have positive biases): b ≤ 0 is not required, and the share of f a bias keeps is reported as absorbed (Σ R + absorbed = f)",
  },
  json: { type: "boolean", description: "print one JSON object on stdout instead of the summary" },
  ...imageFlags,
} as const satisfies Flags;

export type ExplainFlags = typeof explainFlags;

/** A zᵇ bound from the command line: a number, or a file of per-unit bounds. */
export type BoundArg =
  | { readonly _tag: "Scalar"; readonly value: number }
  | { readonly _tag: "File"; readonly path: string }
  /** The values the --image photo's pixels can take after its preparation, per unit. */
  | { readonly _tag: "Image" };

/** The deep Taylor rules of a command line: a composite before the zᵇ bounds are read. */
export interface RulesSpec {
  readonly rule: RuleName;
  readonly firstRule?: RuleName;
  /** Rules of named affine nodes (--rule-at), before --first-rule and --rule. */
  readonly at?: readonly { readonly node: string; readonly rule: RuleName }[];
  readonly low?: BoundArg;
  readonly high?: BoundArg;
  readonly maxPool: DT.MaxPoolMode;
  /** How add nodes split relevance. */
  readonly add: "proportional" | "rules";
  /** The output explained, for models with several outputs. */
  readonly target?: DT.Target;
}

/** What to explain and how, as the command line says. `rules` is present exactly for --method deep-taylor. */
export interface Spec {
  readonly modelPath: string;
  /** The output of an imported model with several (--output-node). */
  readonly outputNode?: string;
  /** The per-sample input shape of an imported model whose file leaves it unknown (--input-shape). */
  readonly inputShape?: readonly number[];
  /** The sample: a JSON or PNG file of the model's input (--input), or a photo to prepare (--image). */
  readonly input: { readonly _tag: "File"; readonly path: string } | { readonly _tag: "Image"; readonly path: string; readonly prep: PhotoPrep };
  /** Biases as relevance sinks (deep-taylor only). */
  readonly biasSink: boolean;
  readonly method: Method;
  readonly rules: RulesSpec | undefined;
  readonly lenient: boolean;
  /** Remarks for stderr (e.g. flags that the chosen method ignores). */
  readonly notes?: readonly string[];
}

const boundArg = (flag: string, v: string): E.Either<CliError, BoundArg> => {
  if (isNumeral(v)) return E.right({ _tag: "Scalar", value: Number(v) });
  if (existsSync(v)) return E.right({ _tag: "File", path: v });
  return E.left(usage(`--${flag}: expected a number or the path of a JSON array of numbers, found "${v}" (not a number, and no such file)`));
};

const isRule = (v: string | undefined): v is RuleName => v !== undefined && (RULES as readonly string[]).includes(v);

/** `--rule-at NODE=RULE,…`: the rules of named nodes, each name once. */
const ruleAtOf = (v: string): E.Either<CliError, readonly { readonly node: string; readonly rule: RuleName }[]> => {
  const out: { node: string; rule: RuleName }[] = [];
  for (const item of v.split(",")) {
    const eq = item.lastIndexOf("=");
    const node = item.slice(0, eq).trim();
    const rule = item.slice(eq + 1).trim();
    if (eq <= 0 || node === "") return E.left(usage(`--rule-at: expected NODE=RULE (comma-separated), found "${item}"`));
    if (!isRule(rule)) return E.left(usage(`--rule-at: ${node}: expected one of ${RULES.join(", ")}, found "${rule}"`));
    if (out.some((a) => a.node === node)) return E.left(usage(`--rule-at: node "${node}" is given twice`));
    out.push({ node, rule });
  }
  return E.right(out);
};
const isMethod = (v: string | undefined): v is Method => v !== undefined && (METHODS as readonly string[]).includes(v);

const outputNodeOf = (values: Values<ExplainFlags>): { readonly outputNode?: string } => (values["output-node"] === undefined ? {} : { outputNode: values["output-node"] });

/** What the flags say about an imported model: its output (--output-node) and input shape (--input-shape). */
const importedOf = (values: Values<ExplainFlags>): E.Either<CliError, { readonly outputNode?: string; readonly inputShape?: readonly number[] }> => {
  if (values["input-shape"] === undefined) return E.right(outputNodeOf(values));
  return E.map((inputShape: number[]) => ({ ...outputNodeOf(values), inputShape }))(parseShape("input-shape", values["input-shape"]));
};

/** Reads the flags into a spec; every inconsistency that does not need the model is a usage error here. */
export const parseSpec = (values: Values<ExplainFlags>): E.Either<CliError, Spec> => {
  const missing = [...(values.model === undefined ? ["--model"] : []), ...(values.input === undefined && values.image === undefined ? ["--input (or --image)"] : [])];
  if (missing.length > 0) return E.left(usage(`missing required flag${missing.length > 1 ? "s" : ""} ${missing.join(" and ")}`));
  if (values.input !== undefined && values.image !== undefined) return E.left(usage("--input and --image both give the sample: use one"));
  const prep = parseImageFlags(values);
  if (E.isLeft(prep)) return prep;
  const imported = importedOf(values);
  if (E.isLeft(imported)) return imported;
  const input: Spec["input"] = prep.right === undefined ? { _tag: "File", path: values.input! } : { _tag: "Image", path: values.image!, prep: prep.right };
  const method = values.method ?? "deep-taylor";
  if (!isMethod(method)) return E.left(usage(`--method: expected one of ${METHODS.join(", ")}, found "${method}"`));
  const rule = values.rule;
  const firstRule = values["first-rule"];
  if (method !== "deep-taylor") {
    // The rule flags may stay on the line when only --method changes (`--rule zplus --method sensitivity`): they
    // are checked, then ignored with a note. A target would change what is explained, so it is refused.
    if (values.target !== undefined) return E.left(usage(`--target selects the explained output of deep Taylor decomposition and does not apply to --method ${method}`));
    if (rule !== undefined && !isRule(rule)) return E.left(usage(`--rule: expected one of ${RULES.join(", ")}, found "${rule}"`));
    if (firstRule !== undefined && !isRule(firstRule)) return E.left(usage(`--first-rule: expected one of ${RULES.join(", ")}, found "${firstRule}"`));
    const ignored = (["rule", "first-rule", "rule-at", "low", "high", "maxpool", "add", "bias-sink"] as const).filter((k) => (k === "bias-sink" ? values[k] : values[k] !== undefined));
    const notes = ignored.length > 0 ? [`${ignored.map((k) => `--${k}`).join(", ")} configure deep Taylor rules and are ignored by --method ${method}`] : [];
    return E.right({ modelPath: values.model!, ...imported.right, input, biasSink: false, method, rules: undefined, lenient: values.lenient, notes });
  }
  if (!isRule(rule)) return E.left(usage(`missing required flag --rule (one of ${RULES.join(", ")}) for --method deep-taylor`));
  if (firstRule !== undefined && !isRule(firstRule)) return E.left(usage(`--first-rule: expected one of ${RULES.join(", ")}, found "${firstRule}"`));
  const at = values["rule-at"] === undefined ? E.right([]) : ruleAtOf(values["rule-at"]);
  if (E.isLeft(at)) return at;
  const usesZb = rule === "zb" || firstRule === "zb" || at.right.some((a) => a.rule === "zb");
  const boundsGiven = (["low", "high"] as const).filter((k) => values[k] !== undefined);
  // With a photo, zᵇ's box defaults to the values its pixels 0…255 take after their preparation.
  const boxFromImage = usesZb && boundsGiven.length === 0 && input._tag === "Image";
  if (usesZb && !boxFromImage && boundsGiven.length < 2) {
    const absent = (["low", "high"] as const).filter((k) => values[k] === undefined).map((k) => `--${k}`);
    return E.left(usage(`the zb rule needs the box l ≤ x ≤ h: missing ${absent.join(" and ")}${input._tag === "File" ? "" : " (or neither: the photo's pixel range)"}`));
  }
  if (!usesZb && boundsGiven.length > 0) return E.left(usage(`${boundsGiven.map((k) => `--${k}`).join(" and ")} set the box of the zb rule: use them with --rule zb or --first-rule zb`));
  let low: BoundArg | undefined;
  let high: BoundArg | undefined;
  if (boxFromImage) {
    low = { _tag: "Image" };
    high = { _tag: "Image" };
  } else if (usesZb) {
    const l = boundArg("low", values.low!);
    if (E.isLeft(l)) return l;
    const h = boundArg("high", values.high!);
    if (E.isLeft(h)) return h;
    low = l.right;
    high = h.right;
    if (low._tag === "Scalar" && high._tag === "Scalar") {
      // zᵇ's box: l ≤ 0 ≤ h (Proposition 3), checked before the model is read.
      const box = DT.zB(low.value, high.value);
      if (E.isLeft(box)) return E.left(usage(`--low/--high: ${box.left}`));
    }
  }
  let target: DT.Target | undefined;
  if (values.target !== undefined) {
    const t = values.target;
    if (t === "argmax") target = { _tag: "argmax" };
    else if (/^\d+$/.test(t) && Number.isSafeInteger(Number(t))) target = { _tag: "classes", classes: [Number(t)] };
    else return E.left(usage(`--target: expected an output index (0, 1, …) or argmax, found "${t}"`));
  }
  const mp = values.maxpool ?? "winner";
  const maxPool = mp === "proportional" ? MAXPOOL.proportional : MAXPOOL.winner;
  const rules: RulesSpec = {
    rule,
    ...(firstRule !== undefined ? { firstRule } : {}),
    ...(at.right.length > 0 ? { at: at.right } : {}),
    ...(low !== undefined ? { low } : {}),
    ...(high !== undefined ? { high } : {}),
    maxPool,
    add: values.add === "rules" ? "rules" : "proportional",
    ...(target !== undefined ? { target } : {}),
  };
  return E.right({ modelPath: values.model!, ...imported.right, input, biasSink: values["bias-sink"], method, rules, lenient: values.lenient });
};

/**
 * The affine nodes the zb rule is assigned to, as the composite assigns them (`DT.assign`): the composite is built
 * with a stand-in for the zᵇ rule, whose box is not resolved yet.
 */
const zbNodes = (rules: RulesSpec, model: L.Model): number[] => {
  // The stand-in: z⁺'s rule under the name "zb" (w² and z⁺ keep their names), registered as a named strategy.
  const standIn = P.toComposite(layerwiseOf(rules, P.named("zb")), { zb: { ...DT.zPlus, name: "zb" } });
  if (E.isLeft(standIn)) return [];
  const assigned = DT.assign(standIn.right, model);
  if (E.isLeft(assigned)) return [];
  return assigned.right.flatMap((a, i) => (L.isAffine(model.layers[i]!) && a._tag === "Rule" && a.rule.name === "zb" ? [i] : []));
};

/**
 * A bound as the zᵇ strategy takes it: a number, or a tensor of the input shape of the layers it applies to. Per-unit
 * bounds must fit every layer the zb rule is assigned to (in practice: the first layer, `--first-rule zb`).
 */
const resolveBound = (flag: string, arg: BoundArg, rules: RulesSpec, model: L.Model, imageBox: ImageBox | undefined): E.Either<CliError, L.Bound> => {
  if (arg._tag === "Scalar") return E.right(arg.value);
  const values = arg._tag === "Image" ? E.right(flag === "low" ? imageBox!.low : imageBox!.high) : readNumbersFile(arg.path);
  if (E.isLeft(values)) return E.left(failure(`--${flag}: ${values.left}`));
  const zbLayers = zbNodes(rules, model);
  const shapes = zbLayers.map((i) => model.shapes[model.sources[i]![0]!]!);
  const first = shapes[0];
  if (first === undefined) return E.left(usage(`--${flag}: the model has no dense/conv2d layer for the zb rule`));
  const other = shapes.findIndex((s) => !T.Shape.equals(s, first));
  if (other >= 0) {
    return E.left(usage(`--${flag}: per-unit bounds fit one input shape, but the zb rule is assigned to layer ${zbLayers[0]} (input ${T.showShape(first)}) and layer ${zbLayers[other]} (input ${T.showShape(shapes[other]!)}); use --first-rule zb with another --rule, or scalar bounds`));
  }
  const d = T.Shape.size(first);
  if (values.right.length !== d) {
    return E.left(failure(`--${flag}: ${arg._tag === "File" ? arg.path : "the photo's box"}: expected ${d} numbers (the input of layer ${zbLayers[0]}, shape ${T.showShape(first)}), found ${values.right.length}`));
  }
  return E.right(T.of(values.right, [...first]));
};

/** The strategies by their command-line names (data: workers derive the rules themselves). */
const strategyOf = (name: RuleName, zb: P.StrategySpec | undefined): P.StrategySpec => {
  switch (name) {
    case "w2":
      return P.w2;
    case "zplus":
      return P.zPlus;
    case "zb":
      return zb!;
  }
};

/** The composite of the rules, with `zb` as the zᵇ rule: --first-rule on the affine nodes that read the input, --rule elsewhere. */
const layerwiseOf = (rules: RulesSpec, zb: P.StrategySpec | undefined): P.CompositeSpec => {
  const layered = P.layerwise({ first: strategyOf(rules.firstRule ?? rules.rule, zb), rest: strategyOf(rules.rule, zb), maxPool: rules.maxPool, add: rules.add });
  // --rule-at first: in a composite the first matching entry wins.
  const named = (rules.at ?? []).map((a) => ({ match: DT.byName(a.node), use: P.rule(strategyOf(a.rule, zb)) }));
  return named.length === 0 ? layered : P.compositeSpec([...named, ...layered.entries], layered.epsilon === undefined ? {} : { epsilon: layered.epsilon });
};

/** --rule-at names nodes of the model that carry a rule (dense, conv2d, depthwiseConv2d), or is refused, naming them. */
const checkRuleAt = (rules: RulesSpec, model: L.Model): E.Either<CliError, void> => {
  for (const a of rules.at ?? []) {
    const i = model.nodes.findIndex((n) => n.name === a.node);
    if (i < 0 || !L.isAffine(model.layers[i]!)) {
      const affine = model.nodes.filter((_, k) => L.isAffine(model.layers[k]!)).map((n) => n.name);
      const shown = affine.slice(0, 12).join(", ") + (affine.length > 12 ? `, … (${affine.length} in all)` : "");
      const found = i < 0 ? "no node of that name" : `a ${model.layers[i]!.kind} node`;
      return E.left(usage(`--rule-at: expected a dense, conv2d or depthwiseConv2d node of the model, found ${found} for "${a.node}" (such nodes: ${shown})`));
    }
  }
  return E.right(undefined);
};

/** The box of the values a photo's pixels can take after their preparation, per unit of the model input. */
export interface ImageBox {
  readonly low: Float64Array;
  readonly high: Float64Array;
}

/**
 * The rules for `model` as a composite spec (data, which worker threads can receive: @dtd/parallel), with the zᵇ
 * box resolved (parseSpec guarantees bounds when zb is used; `imageBox` is given exactly when they come from the
 * photo) and checked to be a box.
 */
export const compositeSpecOf = (rules: RulesSpec, model: L.Model, imageBox?: ImageBox): E.Either<CliError, P.CompositeSpec> => {
  const named = checkRuleAt(rules, model);
  if (E.isLeft(named)) return named;
  let zb: P.StrategySpec | undefined;
  if (rules.low !== undefined && rules.high !== undefined) {
    const low = resolveBound("low", rules.low, rules, model, imageBox);
    if (E.isLeft(low)) return low;
    const high = resolveBound("high", rules.high, rules, model, imageBox);
    if (E.isLeft(high)) return high;
    const box = L.Domain.box(low.right, high.right);
    if (E.isLeft(box)) return E.left(usage(`--low/--high: ${box.left}`));
    zb = P.zB(low.right, high.right);
  }
  return E.right(layerwiseOf(rules, zb));
};

/** The composite of the rules for `model`: its spec, with every rule derived (Montavon et al. 2017, eq. 4). */
export const compositeOf = (rules: RulesSpec, model: L.Model, imageBox?: ImageBox): E.Either<CliError, DT.Composite> =>
  E.flatMap(compositeSpecOf(rules, model, imageBox), (spec) => E.mapLeft((e: P.ParallelError) => usage(`--low/--high: ${P.message(e)}`))(P.toComposite(spec)));
