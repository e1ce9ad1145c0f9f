/**
 * The `dtd` executable (run through tsx: `pnpm dtd …` from the repository root). Sets the exit code rather than
 * calling `process.exit`, so that everything written to stdout and stderr is flushed first.
 * @module
 */
import { processIo } from "./Io.ts";
import { run } from "./run.ts";

process.exitCode = await run(process.argv.slice(2), processIo());
