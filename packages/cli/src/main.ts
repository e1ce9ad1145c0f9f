/**
 * What an executable does with a command table: run it on the process's arguments and streams, and set the exit
 * code (rather than calling `process.exit`, so that everything written to stdout and stderr is flushed first).
 * The `dtd` executable (`bin.ts`) runs the CLI's table; packages/examples' runs the same commands and the examples.
 * @module
 */
import { message, useNativeKernels } from "@dtd/native";
import * as E from "fp-ts/lib/Either.js";
import { processIo } from "./Io.ts";
import { takeKernelsFlag } from "./kernelsFlag.ts";
import { type Entry, run } from "./run.ts";

/**
 * Runs `table` as the program `dtd` on `process.argv`. `pnpm dtd …` / `pnpm demo …` run the executable from the
 * repository root, whatever directory pnpm was called from; pnpm records that directory in INIT_CWD. Going back
 * there makes relative paths (--model net.json) mean what the user typed. Only for those two scripts, so that an
 * INIT_CWD inherited from another script changes nothing.
 *
 * Before the command runs, the native kernels (@dtd/native) are installed unless `--kernels wasm` or
 * DTD_KERNELS=wasm says otherwise; the flag is passed on to worker threads through DTD_KERNELS.
 */
export const main = async (table: readonly Entry[]): Promise<void> => {
  const script = process.env["npm_lifecycle_event"];
  const initCwd = process.env["INIT_CWD"];
  if ((script === "dtd" || script === "demo") && initCwd !== undefined) process.chdir(initCwd);
  const taken = takeKernelsFlag(process.argv.slice(2));
  if (E.isRight(taken) && taken.right.choice !== undefined) process.env["DTD_KERNELS"] = taken.right.choice;
  const installed = E.chain(() => useNativeKernels())(taken);
  if (E.isLeft(installed)) {
    process.stderr.write(`dtd: ${message(installed.left)}\n`);
    process.exitCode = 2;
    return;
  }
  process.exitCode = await run(E.isRight(taken) ? taken.right.rest : [], processIo(), "dtd", table);
};
