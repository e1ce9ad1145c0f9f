/**
 * The `dtd` program started: the CLI's commands run on the process's arguments. The executable (`bin.ts`) runs
 * this module's bundle when there is one, this module otherwise.
 * @module
 */
import { main } from "./main.ts";
import { entries } from "./run.ts";

await main(entries);
