/**
 * @dtd/cli — the `dtd` command line: `explain` (deep Taylor heatmaps of one input, or of a whole data set on
 * every core, with consistency diagnostics), `merge`, `check` (preconditions, root points, consistency),
 * `evaluate`, `train` (a model file's parameters) and `import`. Commands are data (`defineCommand`), parsed by
 * `util.parseArgs`; a program built on this one passes its own command table to `run` / `main` (the repository's
 * examples, packages/examples, add `demo`, `titanic`, `graphs` and `real-model` this way).
 * @module
 */
export { run, entries, programHelp, version, type Entry } from "./run.ts";
export { main } from "./main.ts";
export { defineCommand, parse, helpText, type AnyCommand, type Command, type Context, type Flag, type Flags, type Values } from "./Command.ts";
export { ExitCode, type CliError, usage, failure } from "./CliError.ts";
export { type Io, processIo, memoryIo, line } from "./Io.ts";
export { startProgress, formatFields, type Progress, type ProgressFields, type ProgressOptions } from "./progress.ts";
// Building blocks of the commands, for commands defined outside this package.
export { integerFlag } from "./integerFlag.ts";
export { num, percent, table } from "./format.ts";
export { encodeNpy } from "./batch/npy.ts";
export { importFile } from "./loadModel.ts";
export { infoOf, type ImportedInfo } from "./imported.ts";
export { negateOutput } from "./outputClass.ts";
export { defaultPrep, type PhotoPrep, photoToInput } from "./photoInput.ts";
