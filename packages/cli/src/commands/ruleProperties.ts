/**
 * `dtd check --properties`: property-test a rule on random networks drawn to meet its preconditions (the kit of
 * @dtd/deep-taylor/testing: conservative, positive, rootsAreRoots, matchesNaiveEq4), instead of checking one model
 * and input. The rule is one of the deck's (`--rule`) or a strategy of your own (`--strategy FILE`, a JavaScript
 * module — or TypeScript run through tsx — whose default export, or export `strategy`, is a deep-taylor Strategy).
 * For each failing property the smallest counterexample fast-check shrank to is written as a dtd model file and an
 * input file, which `dtd check --model … --input …` then explains layer by layer. fast-check is loaded only here.
 * @module
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import * as E from "fp-ts/lib/Either.js";
import * as DT from "@dtd/deep-taylor";
import { counterexampleSaver } from "@dtd/model-io/file";
import { type CliError, ExitCode, failure, usage } from "../CliError.ts";
import type { Flags, Values } from "../Command.ts";
import { integerFlag } from "../integerFlag.ts";
import type { Io } from "../Io.ts";
import { line } from "../Io.ts";
import { isNumeral } from "../jsonNumbers.ts";
import { RULES, type RuleName } from "../spec.ts";

/** The flags of the property mode (added to `check`'s). */
export const propertyFlags = {
  properties: { type: "boolean", description: "property-test the rule on random networks instead of checking one model and input" },
  strategy: { type: "string", value: "FILE", description: "with --properties: a module whose default export (or export `strategy`) is your own Strategy" },
  placement: { type: "string", value: "WHERE", choices: ["first", "all"], description: "with --properties: the rule in the first affine layers with zplus above (default), or in every one" },
  runs: { type: "string", value: "N", default: "100", description: "with --properties: random cases per property" },
  seed: { type: "string", value: "N", description: "with --properties: fast-check's seed (replays a run)" },
  out: { type: "string", value: "DIR", default: "dtd-counterexamples", description: "with --properties: where the smallest failing cases are written" },
} as const satisfies Flags;

/** What a strategy must look like (a module written against another copy of @dtd/deep-taylor is fine). */
const isStrategy = (v: unknown): v is DT.Strategy => {
  if (typeof v !== "object" || v === null) return false;
  const s = v as Record<string, unknown>;
  const domain = s["domain"] as Record<string, unknown> | null | undefined;
  const direction = s["direction"] as Record<string, unknown> | null | undefined;
  return (
    typeof s["name"] === "string" &&
    typeof s["segment"] === "number" &&
    typeof s["requiresNonPositiveBias"] === "boolean" &&
    typeof domain === "object" &&
    domain !== null &&
    ["firstOutside", "segment", "sample"].every((k) => typeof domain[k] === "function") &&
    typeof direction === "object" &&
    direction !== null &&
    ["Split", "Materialized", "PerNeuron"].includes(String(direction["_tag"]))
  );
};

const loadStrategy = async (path: string): Promise<E.Either<CliError, DT.Strategy>> => {
  if (!existsSync(path)) return E.left(failure(`--strategy: no such file ${path}`));
  let m: Record<string, unknown>;
  try {
    m = (await import(pathToFileURL(resolve(path)).href)) as Record<string, unknown>;
  } catch (u) {
    return E.left(failure(`--strategy: cannot load ${path}: ${u instanceof Error ? u.message : String(u)}`));
  }
  const s = m["default"] ?? m["strategy"];
  return isStrategy(s)
    ? E.right(s)
    : E.left(failure(`--strategy: expected ${path} to export a Strategy as its default export or as \`strategy\` (name, domain, direction, segment, requiresNonPositiveBias), found ${s === undefined ? "neither" : typeof s}`));
};

/** One of the deck's rules by name (zb with numeric --low and --high). */
const deckStrategy = (rule: RuleName, low: string | undefined, high: string | undefined): E.Either<CliError, DT.Strategy> => {
  if (rule === "w2") return E.right(DT.w2);
  if (rule === "zplus") return E.right(DT.zPlus);
  if (low === undefined || high === undefined || !isNumeral(low) || !isNumeral(high)) return E.left(usage("--properties with --rule zb needs numbers --low and --high"));
  const zb = DT.zB(Number(low), Number(high));
  return E.isLeft(zb) ? E.left(usage(`--low/--high: ${zb.left}`)) : E.right(zb.right);
};

/** The flags property mode reads, from check's values. */
type PropertyValues = Values<typeof propertyFlags> & {
  readonly rule: string | undefined;
  readonly low: string | undefined;
  readonly high: string | undefined;
  readonly model: string | undefined;
  readonly input: string | undefined;
  readonly json: boolean;
};

/** Runs the kit on the rule and prints its report; exit 0 when every property holds, 1 otherwise. */
export const runProperties = async (values: PropertyValues, io: Io): Promise<E.Either<CliError, ExitCode>> => {
  if (values.model !== undefined || values.input !== undefined) return E.left(usage("--properties tests a rule on random networks: --model and --input do not apply"));
  if ((values.rule === undefined) === (values.strategy === undefined)) return E.left(usage(`--properties needs exactly one of --rule (${RULES.join(", ")}) and --strategy FILE`));
  const runs = integerFlag("runs", values.runs, 1);
  if (E.isLeft(runs)) return runs;
  const seed = values.seed === undefined ? E.right(undefined) : integerFlag("seed", values.seed, 0);
  if (E.isLeft(seed)) return seed;
  const rule = values.rule;
  if (rule !== undefined && !(RULES as readonly string[]).includes(rule)) return E.left(usage(`--rule: expected one of ${RULES.join(", ")}, found "${rule}"`));
  const strategy = rule !== undefined ? deckStrategy(rule as RuleName, values.low, values.high) : await loadStrategy(values.strategy!);
  if (E.isLeft(strategy)) return strategy;
  const { Kit } = await import("@dtd/deep-taylor/testing");
  const report = Kit.checkRule(strategy.right, {
    numRuns: runs.right,
    ...(seed.right === undefined ? {} : { seed: seed.right }),
    placement: values.placement === "all" ? "all" : "first",
    save: counterexampleSaver(values.out),
  });
  if (values.json) {
    const json = { ...report, properties: report.properties.map(({ counterexample, ...p }) => ({ ...p, ...(counterexample === undefined ? {} : { counterexample: { network: Kit.describeModel(counterexample.model), sample: counterexample.sample } }) })) };
    line(io.stdout, JSON.stringify(json));
  } else line(io.stdout, Kit.formatReport(report));
  return E.right(report.ok ? ExitCode.ok : ExitCode.failure);
};
