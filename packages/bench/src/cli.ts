/**
 * Command-line options of `pnpm bench`, parsed into a validated record (an fp-ts `Either` at this boundary).
 *
 *   --net A,B          nets to run (default A,B,C,antispoof)
 *   --batch 1,128      batch sizes (default 1,128; the antispoof net runs a batch above 16 at 16)
 *   --dtype float32    dtypes (default float32,float64); the peer always runs float32 (tfjs has no float64)
 *   --impl dtd         implementations to time (default all: dtd, dtd-pool, tfjs-cpu, tfjs-wasm, torch-dt-1t, torch-dt-2t,
 *                      torch-gxi-1t, torch-gxi-2t); ratios need dtd and a peer
 *   --rounds 3         repeat the interleaved heatmap sequence (default 1); figures are medians over rounds
 *   --clock cpu        time calls in CPU time instead of elapsed time (default wall)
 *   --json out.json    also write the results as JSON
 *   --kernels          run only the kernel section (matmul GFLOP/s)
 *   --no-kernels       run only the heatmap section
 *   --quick            a fast smoke run: few timed calls, small kernels; not figures to quote
 *   --help             print usage
 * Both `--flag value` and `--flag=value` are accepted.
 * @module
 */
import type { DType } from "@dtd/tensor";
import * as E from "fp-ts/lib/Either.js";
import { type NetName, netNames } from "./nets.ts";

/** The implementations `--impl` can select (src/impls.ts registers them under these names). */
export const implNames = ["dtd", "dtd-pool", "tfjs-cpu", "tfjs-wasm", "torch-dt-1t", "torch-dt-2t", "torch-gxi-1t", "torch-gxi-2t"] as const;

/** Which sections run. */
export type Sections = "all" | "kernels" | "heatmaps";

/** Validated options. */
export interface CliOptions {
  readonly nets: readonly NetName[];
  readonly batches: readonly number[];
  readonly dtypes: readonly DType[];
  /** The implementations to time, by name. */
  readonly impls: readonly string[];
  /** How many times the interleaved heatmap sequence runs. */
  readonly rounds: number;
  /** What a timed call measures: elapsed time or the process's CPU time. */
  readonly clock: "wall" | "cpu";
  readonly json: string | undefined;
  readonly sections: Sections;
  readonly quick: boolean;
  readonly help: boolean;
}

/** A refused command line: which flag, what was expected, what was found. */
export interface CliError {
  readonly _tag: "CliError";
  readonly flag: string;
  readonly expected: string;
  readonly found: string;
}

/** One-line message for a CLI error. */
export const cliErrorMessage = (e: CliError): string => `${e.flag}: expected ${e.expected}, found ${e.found}`;

export const defaults: CliOptions = {
  nets: netNames,
  batches: [1, 128],
  dtypes: ["float32", "float64"],
  impls: implNames,
  rounds: 1,
  clock: "wall",
  json: undefined,
  sections: "all",
  quick: false,
  help: false,
};

export const usage = `Usage: pnpm bench [options]
  --net A,B,C,antispoof
                     nets (A: deck net 1568-400-sum, B: MLP 784-512-512-512-10, C: LeNet-like CNN,
                     antispoof: Human's anti-spoofing CNN with its real weights on photo crops)
  --batch 1,128      batch sizes (positive integers; antispoof runs a batch above 16 at 16)
  --dtype float32,float64
                     dtypes; the tfjs peer always runs float32 (it has no float64)
  --impl dtd,dtd-pool,tfjs-cpu,tfjs-wasm,torch-dt-1t,torch-dt-2t,torch-gxi-1t,torch-gxi-2t
                     implementations to time (e.g. --impl dtd to measure one change quickly;
                     dtd-pool: dtd on a worker pool, one worker per core;
                     ratios are printed only when dtd and a peer both run; torch rows need
                     Python with torch and are skipped with a note otherwise)
  --rounds 3         run the interleaved heatmap sequence 3 times; rows and ratios are medians
                     over rounds (default 1)
  --clock cpu        time each call in the process's CPU time (user + system) instead of elapsed
                     time: on a shared machine it leaves out the time other processes hold the cores;
                     for a peer on 2 threads it is the sum over both (default wall)
  --json out.json    write {meta, results, ratios, kernels} as JSON
  --kernels          only the kernel section (matmul GFLOP/s, dtd vs naive i-j-k)
  --no-kernels       only the heatmap section
  --quick            fast smoke run (few calls, 256×256 kernels): not figures to quote
  --help             this text
Environment: DTD_KERNELS=wasm times dtd without its native kernels (@dtd/native; default auto: native when
built, as the header line "dtd kernels" says); DTD_NATIVE_ISA=avx2|generic picks a narrower instruction set.`;

const err = (flag: string, expected: string, found: string): E.Either<CliError, never> =>
  E.left({ _tag: "CliError", flag, expected, found });

const list = (value: string): string[] => value.split(",").map((s) => s.trim());

const unique = <A>(xs: readonly A[]): A[] => [...new Set(xs)];

const parseNets = (v: string): E.Either<CliError, NetName[]> => {
  const items = list(v).map((s) => netNames.find((n) => n.toLowerCase() === s.toLowerCase()) ?? s);
  const bad = items.find((s) => !(netNames as readonly string[]).includes(s));
  return bad !== undefined
    ? err("--net", `a comma-separated subset of ${netNames.join(", ")}`, JSON.stringify(bad === "" ? v : bad))
    : E.right(unique(items as NetName[]));
};

const parseBatches = (v: string): E.Either<CliError, number[]> => {
  const items = list(v);
  const bad = items.find((s) => !/^[1-9][0-9]*$/.test(s));
  return bad !== undefined
    ? err("--batch", "comma-separated positive integers (e.g. 1,128)", JSON.stringify(bad === "" ? v : bad))
    : E.right(unique(items.map(Number)));
};

const parseDTypes = (v: string): E.Either<CliError, DType[]> => {
  const items = list(v);
  const bad = items.find((s) => s !== "float32" && s !== "float64");
  return bad !== undefined
    ? err("--dtype", "a comma-separated subset of float32, float64", JSON.stringify(bad === "" ? v : bad))
    : E.right(unique(items as DType[]));
};

const parseImpls = (v: string): E.Either<CliError, string[]> => {
  const items = list(v).map((s) => s.toLowerCase());
  const bad = items.find((s) => !(implNames as readonly string[]).includes(s));
  return bad !== undefined ? err("--impl", `a comma-separated subset of ${implNames.join(", ")}`, JSON.stringify(bad === "" ? v : bad)) : E.right(unique(items));
};

const valueFlags = ["--net", "--batch", "--dtype", "--impl", "--rounds", "--clock", "--json"] as const;
const booleanFlags = ["--kernels", "--no-kernels", "--quick", "--help"] as const;

/** Parses `argv` (without the node and script paths). A lone `--` (as some runners forward) is ignored. */
export const parseArgs = (argv: readonly string[]): E.Either<CliError, CliOptions> => {
  let o: CliOptions = defaults;
  let kernelsOnly = false;
  let noKernels = false;
  const args = argv.filter((a) => a !== "--");
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.indexOf("=");
    const flag = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    if ((booleanFlags as readonly string[]).includes(flag)) {
      if (flag !== arg) return err(flag, "no value", JSON.stringify(arg.slice(eq + 1)));
      if (flag === "--kernels") kernelsOnly = true;
      else if (flag === "--no-kernels") noKernels = true;
      else if (flag === "--quick") o = { ...o, quick: true };
      else o = { ...o, help: true };
      continue;
    }
    if (!(valueFlags as readonly string[]).includes(flag)) {
      return err("arguments", `one of ${[...valueFlags, ...booleanFlags].join(", ")}`, JSON.stringify(arg));
    }
    let value: string;
    if (flag !== arg) value = arg.slice(eq + 1);
    else {
      const next = args[i + 1];
      if (next === undefined || next.startsWith("--")) return err(flag, "a value", next === undefined ? "end of arguments" : JSON.stringify(next));
      value = next;
      i++;
    }
    if (flag === "--net") {
      const r = parseNets(value);
      if (E.isLeft(r)) return r;
      o = { ...o, nets: r.right };
    } else if (flag === "--batch") {
      const r = parseBatches(value);
      if (E.isLeft(r)) return r;
      o = { ...o, batches: r.right };
    } else if (flag === "--dtype") {
      const r = parseDTypes(value);
      if (E.isLeft(r)) return r;
      o = { ...o, dtypes: r.right };
    } else if (flag === "--impl") {
      const r = parseImpls(value);
      if (E.isLeft(r)) return r;
      o = { ...o, impls: r.right };
    } else if (flag === "--clock") {
      if (value !== "wall" && value !== "cpu") return err("--clock", "wall or cpu", JSON.stringify(value));
      o = { ...o, clock: value };
    } else if (flag === "--rounds") {
      if (!/^[1-9][0-9]*$/.test(value)) return err("--rounds", "a positive integer", JSON.stringify(value));
      o = { ...o, rounds: Number(value) };
    } else {
      if (value === "") return err("--json", "a file path", '""');
      o = { ...o, json: value };
    }
  }
  if (kernelsOnly && noKernels) return err("--kernels", "not together with --no-kernels", "both");
  return E.right({ ...o, sections: kernelsOnly ? "kernels" : noKernels ? "heatmaps" : "all" });
};
