/**
 * What an executable does with a command table: run it on the process's arguments and streams, and set the exit
 * code (rather than calling `process.exit`, so that everything written to stdout and stderr is flushed first).
 * The `dtd` executable (`bin.ts`) runs the CLI's table; packages/examples' runs the same commands and the examples.
 * @module
 */
import { processIo } from "./Io.ts";
import { type Entry, run } from "./run.ts";

/**
 * Runs `table` as the program `dtd` on `process.argv`. `pnpm dtd …` / `pnpm demo …` run the executable from the
 * repository root, whatever directory pnpm was called from; pnpm records that directory in INIT_CWD. Going back
 * there makes relative paths (--model net.json) mean what the user typed. Only for those two scripts, so that an
 * INIT_CWD inherited from another script changes nothing.
 */
export const main = async (table: readonly Entry[]): Promise<void> => {
  const script = process.env["npm_lifecycle_event"];
  const initCwd = process.env["INIT_CWD"];
  if ((script === "dtd" || script === "demo") && initCwd !== undefined) process.chdir(initCwd);
  process.exitCode = await run(process.argv.slice(2), processIo(), "dtd", table);
};
