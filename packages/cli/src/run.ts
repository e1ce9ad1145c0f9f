/**
 * The `dtd` program: the table of subcommands and the dispatch. `dtd <command> [flags]` runs a command;
 * `dtd --help`, `dtd help [command]` and `dtd <command> --help` print help on stdout; `dtd --version` prints the
 * version. Commands are loaded only when they run, so help and version start fast.
 * @module
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import * as E from "fp-ts/lib/Either.js";
import { type CliError, ExitCode, exitCodeOf, usage } from "./CliError.ts";
import { type AnyCommand, type Context, helpText, parse, usageHint } from "./Command.ts";
import { type Io, line } from "./Io.ts";

/** A subcommand in the table: its summary is known without loading it. */
export interface Entry {
  readonly name: string;
  readonly summary: string;
  readonly load: () => Promise<AnyCommand>;
  /**
   * What the command can start from its raw arguments before it is loaded (explain: the workers over many
   * inputs, which then load their code while this thread loads the command's); resolves with what stops what the
   * command did not take, called when it ends.
   */
  readonly early?: (argv: readonly string[]) => Promise<() => Promise<void>>;
}

/**
 * Every subcommand, in the order `dtd --help` lists them (a program built on this one — the repository's examples,
 * packages/examples — passes its own table to {@link run}: these and its own). Each is loaded only when it runs (or its help is asked
 * for), so that `dtd --help` and `dtd --version` load none of the libraries: 0.2 s → ~0.07 s from the built files.
 * A test checks that each summary here is the loaded command's.
 */
export const entries: readonly Entry[] = [
  {
    name: "explain",
    summary: "the relevance of every input unit for one prediction, or for every input of a data set on every core",
    load: () => import("./commands/explain.ts").then((m) => m.explain),
    early: async (argv) => {
      const m = await import("./batch/early.ts");
      m.startEarly(argv);
      return m.releaseEarly;
    },
  },
  {
    name: "merge",
    summary: "the outputs of dtd explain on shards of a data set as one output, with the summary of the set",
    load: () => import("./commands/merge.ts").then((m) => m.merge),
  },
  {
    name: "check",
    summary: "verify preconditions, root points and consistency for one input",
    load: () => import("./commands/check.ts").then((m) => m.check),
  },
  {
    name: "evaluate",
    summary: "how good is an explanation? region perturbation and AOPC for a model file",
    load: () => import("./commands/evaluate.ts").then((m) => m.evaluate),
  },
  {
    name: "train",
    summary: "train a model file's parameters on a JSON data set",
    load: () => import("./commands/train.ts").then((m) => m.train),
  },
  {
    name: "import",
    summary: "a TF.js (model.json) or ONNX model as a dtd model file",
    load: () => import("./commands/import.ts").then((m) => m.importCommand),
  },
];

/**
 * @dtd/cli's package.json, found as Node finds the package from this module: the package itself from its own
 * files (src/ or dist/, one level below the root), the installed @dtd/cli from a bundle of a program
 * (scripts/bundle.mjs), whose `import.meta.url` is the bundle's.
 */
const manifest = (): string => {
  try {
    return join(dirname(dirname(createRequire(import.meta.url).resolve("@dtd/cli"))), "package.json");
  } catch {
    return fileURLToPath(new URL("../package.json", import.meta.url));
  }
};

/** The version in packages/cli/package.json. */
export const version = (): string => {
  const pkg = JSON.parse(readFileSync(manifest(), "utf8")) as { readonly version?: unknown };
  return typeof pkg.version === "string" ? pkg.version : "unknown";
};

/** The program's help, listing the commands of `table`. */
export const programHelp = (program: string, table: readonly Entry[] = entries): string => {
  const width = Math.max(...table.map((e) => e.name.length)) + 2;
  return [
    `${program} — deep Taylor decomposition (Montavon et al., Pattern Recognition 2017) on the command line`,
    "",
    `Usage: ${program} <command> [options]`,
    "",
    "Commands:",
    ...table.map((e) => `  ${e.name.padEnd(width)}${e.summary}`),
    `  ${"help".padEnd(width)}help for a command: ${program} help <command> (or ${program} <command> --help)`,
    "",
    "Options:",
    "  -h, --help     show this help",
    "  -V, --version  show the version",
    "  --kernels K    the products' loops: auto (native when @dtd/native is built, else WebAssembly), native, wasm",
    "",
    `Exit status: 0 success, 1 failure (unreadable file, violated precondition, failed check), 2 bad command line.`,
    "",
  ].join("\n");
};

const refuse = (io: Io, program: string, e: CliError, hint: string): ExitCode => {
  line(io.stderr, `${program}: ${e.message}`);
  if (e._tag === "Usage") io.stderr.write(hint);
  return exitCodeOf(e);
};

const programHint = (program: string): string => `Usage: ${program} <command> [options]\nRun '${program} --help' for the commands.\n`;

const runCommand = async (cmd: AnyCommand, argv: readonly string[], ctx: Context): Promise<ExitCode> => {
  const prefix = `${ctx.program} ${cmd.name}`;
  const args = parse(cmd, argv);
  if (E.isLeft(args)) return refuse(ctx.io, prefix, args.left, usageHint(cmd, ctx.program));
  if (args.right === "help") {
    ctx.io.stdout.write(helpText(cmd, ctx.program));
    return ExitCode.ok;
  }
  const result = await cmd.run(args.right, ctx);
  return E.isLeft(result) ? refuse(ctx.io, prefix, result.left, usageHint(cmd, ctx.program)) : result.right;
};

/**
 * Runs the program on the words after its name; returns the exit code. Unexpected exceptions exit 1. `table` is
 * the commands it offers (default: the CLI's {@link entries}).
 */
export const run = async (argv: readonly string[], io: Io, program = "dtd", table: readonly Entry[] = entries): Promise<ExitCode> => {
  const ctx: Context = { io, program };
  const [first, ...rest] = argv;
  try {
    if (first === undefined) return refuse(io, program, usage("missing command"), programHint(program));
    if (first.startsWith("-")) {
      let values: { help?: boolean; version?: boolean };
      try {
        values = parseArgs({ args: [...argv], options: { help: { type: "boolean", short: "h" }, version: { type: "boolean", short: "V" } }, strict: true }).values;
      } catch (u) {
        return refuse(io, program, usage(u instanceof Error ? u.message.split("\n")[0]! : String(u)), programHint(program));
      }
      if (values.version === true) line(io.stdout, `${program} ${version()}`);
      else io.stdout.write(programHelp(program, table));
      return ExitCode.ok;
    }
    if (first === "help") {
      const name = rest[0];
      if (name === undefined) {
        io.stdout.write(programHelp(program, table));
        return ExitCode.ok;
      }
      const entry = table.find((e) => e.name === name);
      if (entry === undefined || rest.length > 1) return refuse(io, program, usage(`help: expected one command name (${table.map((e) => e.name).join(", ")}), found ${rest.join(" ")}`), programHint(program));
      io.stdout.write(helpText(await entry.load(), program));
      return ExitCode.ok;
    }
    const entry = table.find((e) => e.name === first);
    if (entry === undefined) {
      return refuse(io, program, usage(`unknown command '${first}': expected one of ${table.map((e) => e.name).join(", ")}, help`), programHint(program));
    }
    const release = await entry.early?.(rest);
    try {
      return await runCommand(await entry.load(), rest, ctx);
    } finally {
      await release?.();
    }
  } catch (u) {
    // A bug, not a refusal: every expected failure is returned as a CliError. Say so, with the stack on demand.
    line(io.stderr, `${program}: unexpected error: ${u instanceof Error ? u.message : String(u)}`);
    if (process.env["DTD_DEBUG"] !== undefined && u instanceof Error && u.stack !== undefined) line(io.stderr, u.stack);
    else line(io.stderr, "(set DTD_DEBUG=1 for the stack trace)");
    return ExitCode.failure;
  }
};
