/**
 * @dtd/cli — the `dtd` command line: `explain` (deep Taylor heatmaps of one input, with consistency
 * diagnostics), `check` (preconditions, root points, consistency), `train` (a model file's parameters), and the
 * deck's examples `demo` (MNIST) and `titanic`. Commands are data (`defineCommand`), parsed by `util.parseArgs`.
 * @module
 */
export { run, entries, programHelp, version, type Entry, type ExampleModule } from "./run.ts";
export { defineCommand, parse, helpText, type AnyCommand, type Command, type Context, type Flag, type Flags } from "./Command.ts";
export { ExitCode, type CliError, usage, failure } from "./CliError.ts";
export { type Io, processIo, memoryIo, line } from "./Io.ts";
export { startProgress, formatFields, type Progress, type ProgressFields, type ProgressOptions } from "./progress.ts";
