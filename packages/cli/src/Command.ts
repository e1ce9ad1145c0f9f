/**
 * The command framework: a command is data — its name, a one-line summary, its flags with their help, examples —
 * and a `run` function. Flags are parsed by Node's `util.parseArgs` in strict mode (an unknown flag, a missing
 * value or a stray positional argument is a usage error); a flag with `choices` is checked against them; `--help`
 * and `-h` are added to every command. Help text is generated from the same data, so it cannot drift from what
 * the parser accepts.
 * @module
 */
import { parseArgs } from "node:util";
import * as E from "fp-ts/lib/Either.js";
import { type CliError, type ExitCode, usage } from "./CliError.ts";
import type { Io } from "./Io.ts";

/** A flag: a string value or a boolean switch, with its help. */
export interface Flag {
  readonly type: "string" | "boolean";
  readonly short?: string;
  /** The value's placeholder in help, e.g. "FILE" (string flags). */
  readonly value?: string;
  readonly description: string;
  /** The accepted values (string flags); anything else is a usage error. Listed in help. */
  readonly choices?: readonly string[];
  /** The value when the flag is absent (string flags), shown in help. */
  readonly default?: string;
}

/** A table of flags by long name. */
export type Flags = Readonly<Record<string, Flag>>;

/** The parsed values: strings for string flags (absent unless defaulted), booleans for switches. */
export type Values<F extends Flags> = {
  readonly [K in keyof F]: F[K] extends { readonly type: "boolean" } ? boolean : F[K] extends { readonly default: string } ? string : string | undefined;
};

/** A parsed command line. */
export interface Args<F extends Flags> {
  readonly values: Values<F>;
  readonly positionals: readonly string[];
}

/** What a command runs with. */
export interface Context {
  readonly io: Io;
  /** The program name for messages and help ("dtd"). */
  readonly program: string;
}

/** A positional argument, for help. */
export interface Positional {
  readonly name: string;
  readonly description: string;
  /** The last positional may take any number of words (e.g. files). */
  readonly variadic?: boolean;
}

/** A subcommand. */
export interface Command<F extends Flags = Flags> {
  readonly name: string;
  /** One line, shown in `dtd --help`. */
  readonly summary: string;
  /** The synopsis after the program name, e.g. "explain --model FILE --input FILE --rule RULE [options]". */
  readonly usage: string;
  /** Paragraphs shown in the command's help. */
  readonly description?: string;
  readonly flags: F;
  /** Positional arguments; none are accepted when absent. */
  readonly positionals?: readonly Positional[];
  /** Example command lines (after the program name). */
  readonly examples?: readonly string[];
  /**
   * Runs the command. Left: the command was refused (the message is printed with a usage hint for a usage
   * error); Right: the exit code (a command may report on stdout and still exit 1, as `check` does).
   */
  readonly run: (args: Args<F>, ctx: Context) => Promise<E.Either<CliError, ExitCode>>;
}

/** A command with its flags' type forgotten, for tables of commands. */
export interface AnyCommand {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly description?: string;
  readonly flags: Flags;
  readonly positionals?: readonly Positional[];
  readonly examples?: readonly string[];
  readonly run: (args: Args<Flags>, ctx: Context) => Promise<E.Either<CliError, ExitCode>>;
}

/** Defines a command, checking its flags' types against its `run`. */
export const defineCommand = <F extends Flags>(c: Command<F>): AnyCommand => c as unknown as AnyCommand;

const HELP: Flag = { type: "boolean", short: "h", description: "show this help" };

/** True for errors that `util.parseArgs` throws on a malformed command line. */
const isParseArgsError = (u: unknown): u is Error => {
  const code: unknown = u instanceof Error ? (u as Error & { readonly code?: unknown }).code : undefined;
  return typeof code === "string" && code.startsWith("ERR_PARSE_ARGS");
};

/**
 * `--flag -1` → `--flag=-1` for string flags followed by a negative number, which `util.parseArgs` would
 * otherwise refuse as ambiguous (zᵇ's lower bound is typically negative: `--low -1`).
 */
const joinNegativeNumbers = (argv: readonly string[], stringFlags: ReadonlySet<string>): string[] => {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = argv[i + 1];
    if (a.startsWith("--") && !a.includes("=") && stringFlags.has(a.slice(2)) && next !== undefined && /^-(\d|\.\d|Infinity)/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
};

/** Parses `argv` (the words after the command name); "help" when `--help` is among them. */
export const parse = (cmd: AnyCommand, argv: readonly string[]): E.Either<CliError, Args<Flags> | "help"> => {
  const options: Record<string, { type: "string" | "boolean"; short?: string; default?: string }> = {};
  for (const [name, f] of Object.entries({ ...cmd.flags, help: HELP })) {
    options[name] = { type: f.type, ...(f.short !== undefined ? { short: f.short } : {}), ...(f.default !== undefined ? { default: f.default } : {}) };
  }
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[]; tokens: readonly { kind: string; name?: string; value?: string | undefined }[] };
  try {
    const stringFlags = new Set(Object.entries(options).filter(([, o]) => o.type === "string").map(([n]) => n));
    parsed = parseArgs({ args: joinNegativeNumbers(argv, stringFlags), options, strict: true, allowPositionals: (cmd.positionals?.length ?? 0) > 0, tokens: true });
  } catch (u) {
    if (isParseArgsError(u)) return E.left(usage(u.message.replace(/\n/g, " ")));
    throw u;
  }
  if (parsed.values["help"] === true) return E.right("help");
  // parseArgs keeps the last of a repeated flag: `--rule zplus --rule w2` would silently mean w2. Every flag takes one value.
  const given = parsed.tokens.flatMap((t) => (t.kind === "option" && t.name !== undefined && options[t.name]?.type === "string" ? [t] : []));
  const repeated = given.find((t, i) => given.findIndex((u) => u.name === t.name) !== i);
  if (repeated !== undefined) {
    const values = given.filter((t) => t.name === repeated.name).map((t) => JSON.stringify(t.value ?? ""));
    return E.left(usage(`--${repeated.name} given ${values.length} times (${values.join(", ")}): expected it once`));
  }
  const max = cmd.positionals?.at(-1)?.variadic === true ? Infinity : (cmd.positionals?.length ?? 0);
  if (parsed.positionals.length > max) {
    return E.left(usage(`expected at most ${max} argument${max === 1 ? "" : "s"}, found ${parsed.positionals.length}: ${parsed.positionals.join(" ")}`));
  }
  const values: Record<string, string | boolean | undefined> = {};
  for (const [name, f] of Object.entries(cmd.flags)) {
    const v = parsed.values[name];
    if (f.type === "boolean") {
      values[name] = v === true;
    } else {
      if (typeof v === "string" && f.choices !== undefined && !f.choices.includes(v)) {
        return E.left(usage(`--${name}: expected one of ${f.choices.join(", ")}, found "${v}"`));
      }
      values[name] = v;
    }
  }
  // parseArgs in strict mode guarantees each value's type from `options`, which mirror `cmd.flags`.
  return E.right({ values: values as unknown as Values<Flags>, positionals: parsed.positionals });
};

const pad = (s: string, n: number): string => s + " ".repeat(Math.max(1, n - s.length));

/** The flag's left column in help: "-h, --help", "--model FILE". */
const flagLabel = (name: string, f: Flag): string =>
  `${f.short !== undefined ? `-${f.short}, ` : "    "}--${name}${f.type === "string" ? ` ${f.value ?? (f.choices !== undefined ? f.choices.join("|") : "VALUE")}` : ""}`;

/** Greedy word wrap of `text` to `width` columns; continuation lines start with `indent`. */
export const wrap = (text: string, width: number, indent: string): string => {
  const lines: string[] = [];
  let cur = "";
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    if (cur !== "" && cur.length + 1 + word.length > width) {
      lines.push(cur);
      cur = word;
    } else cur = cur === "" ? word : `${cur} ${word}`;
  }
  lines.push(cur);
  return lines.join(`\n${indent}`);
};

const HELP_WIDTH = 100;

/** The help text of a command. */
export const helpText = (cmd: AnyCommand, program: string): string => {
  const rows = Object.entries({ ...cmd.flags, help: HELP }).map(([name, f]) => {
    const listed = f.choices !== undefined && f.choices.every((c) => f.description.includes(c));
    const extra = [f.choices !== undefined && !listed ? `one of ${f.choices.join(", ")}` : "", f.default !== undefined ? `default ${f.default}` : ""].filter((s) => s !== "");
    return [flagLabel(name, f), f.description + (extra.length > 0 ? ` (${extra.join("; ")})` : "")] as const;
  });
  const width = Math.min(30, Math.max(...rows.map(([l]) => l.length)) + 2);
  const indent = " ".repeat(width + 2);
  const lines = [`${program} ${cmd.name} — ${cmd.summary}`, "", `Usage: ${program} ${cmd.usage}`];
  if (cmd.description !== undefined) lines.push("", cmd.description.trim());
  if (cmd.positionals !== undefined && cmd.positionals.length > 0) {
    lines.push("", "Arguments:", ...cmd.positionals.map((p) => `  ${pad(p.name, width)}${wrap(p.description, HELP_WIDTH - width - 2, indent)}`));
  }
  lines.push("", "Options:");
  for (const [label, text] of rows) {
    const body = wrap(text, HELP_WIDTH - width - 2, indent);
    lines.push(label.length + 2 > width ? `  ${label}\n${indent}${body}` : `  ${pad(label, width)}${body}`);
  }
  if (cmd.examples !== undefined && cmd.examples.length > 0) lines.push("", "Examples:", ...cmd.examples.map((e) => `  ${program} ${e}`));
  return `${lines.join("\n")}\n`;
};

/** The short hint printed after a usage error. */
export const usageHint = (cmd: AnyCommand, program: string): string => `Usage: ${program} ${cmd.usage}\nRun '${program} ${cmd.name} --help' for details.\n`;
