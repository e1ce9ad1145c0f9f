#!/usr/bin/env node
/**
 * The `dtd` executable (`dtd …` once installed): the CLI's commands (`start.ts`). From the repository root,
 * `pnpm dtd …` runs packages/examples' program instead: the same commands and the deck's examples (`demo`, …).
 *
 * The build bundles the program (scripts/bundle.mjs, after `tsc -b`) into dist/bundle/: a few files that Node
 * loads in a third of the time it takes for the ~290 modules of the libraries, in the main thread and in every
 * worker of `dtd explain --workers` (docs/performance.md, "Every core"). The bundle runs when it is there; the
 * modules themselves otherwise (from the sources, or a build without the bundle).
 * @module
 */
import { existsSync } from "node:fs";

const bundled = new URL("./bundle/dtd.js", import.meta.url);
if (existsSync(bundled)) await import(bundled.href);
else await import("./start.ts");
