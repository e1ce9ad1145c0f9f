#!/usr/bin/env node
/**
 * The `dtd` executable (`dtd …` once installed; `pnpm dtd …` from the repository root). Sets the exit code rather
 * than calling `process.exit`, so that everything written to stdout and stderr is flushed first.
 * @module
 */
import { processIo } from "./Io.ts";
import { run } from "./run.ts";

// `pnpm dtd …` / `pnpm demo …` run this file from the repository root, whatever directory pnpm was called from;
// pnpm records that directory in INIT_CWD. Going back there makes relative paths (--model net.json) mean what
// the user typed. Only for those two scripts, so that an INIT_CWD inherited from another script changes nothing.
const script = process.env["npm_lifecycle_event"];
const initCwd = process.env["INIT_CWD"];
if ((script === "dtd" || script === "demo") && initCwd !== undefined) process.chdir(initCwd);

process.exitCode = await run(process.argv.slice(2), processIo());
