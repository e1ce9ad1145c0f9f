#!/usr/bin/env node
/**
 * The repository's `dtd` (`pnpm dtd …`, `pnpm demo …`): the CLI's commands and the deck's examples
 * (`program.ts`). The published `dtd` is `@dtd/cli`'s executable, without the examples.
 * @module
 */
import { main } from "@dtd/cli";
import { table } from "./program.ts";

await main(table);
