#!/usr/bin/env node
/**
 * The `dtd` executable (`dtd …` once installed): the CLI's commands. From the repository root, `pnpm dtd …` runs
 * packages/examples' executable instead: the same commands and the deck's examples (`demo`, `titanic`, …).
 * @module
 */
import { main } from "./main.ts";
import { entries } from "./run.ts";

await main(entries);
