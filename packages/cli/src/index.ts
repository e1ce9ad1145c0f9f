/**
 * @dtd/cli — the `dtd` command line: `explain` (deep Taylor heatmaps of one input, or of a whole data set on
 * every core, with consistency diagnostics), `merge`, `check` (preconditions, root points, consistency),
 * `evaluate`, `train` (a model file's parameters) and `import`. Commands are data (`defineCommand`), parsed by
 * `util.parseArgs`; a program built on this one passes its own command table to `run` / `main` (the repository's
 * examples, packages/examples, add `demo`, `titanic`, `graphs` and `real-model` this way). This entry point loads
 * no library (a program's `--help` stays fast); `@dtd/cli/blocks` has the parts of the commands that do.
 * @module
 */
export { run, entries, programHelp, version, type Entry } from "./run.ts";
export { main } from "./main.ts";
export { defineCommand, parse, helpText, type AnyCommand, type Command, type Context, type Flag, type Flags, type Values } from "./Command.ts";
export { ExitCode, type CliError, usage, failure } from "./CliError.ts";
export { type Io, processIo, memoryIo, line } from "./Io.ts";
export { startProgress, formatFields, type Progress, type ProgressFields, type ProgressOptions } from "./progress.ts";
// Flags and reports, for commands defined outside this package (the heavier parts: @dtd/cli/blocks).
export { integerFlag } from "./integerFlag.ts";
export { num, percent, table } from "./format.ts";
