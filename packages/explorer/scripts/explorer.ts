/**
 * `pnpm explorer [--steps N] [--seed N] [--port N] [--host]`: prepares the demo model next to the page (from the
 * MNIST demo's cache, or trained now and cached — see demoModel.ts) and serves the page with Vite's dev server.
 * Everything after that runs in the browser.
 * @module
 */
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import * as E from "fp-ts/lib/Either.js";
import { createServer } from "vite";
import { DEFAULT_STEPS, defaultCacheDir } from "@dtd/examples";
import { startProgress } from "@dtd/cli";
import { prepareDemoModel } from "./demoModel.ts";

const root = fileURLToPath(new URL("..", import.meta.url));

const usage = `Usage: pnpm explorer [--steps N] [--seed N] [--port N] [--host]

Serves the explorer page (packages/explorer) on http://localhost:5173/. Its demo model is the MNIST demo's
network: taken from .cache/dtd/ when \`pnpm demo\` (or an earlier \`pnpm explorer\`) trained it with the same
steps and seed, else trained now (about 2 minutes at the default ${DEFAULT_STEPS} steps; --steps 1000 takes
about 15 seconds and detects worse) and cached.
`;

const integer = (name: string, v: string | undefined, fallback: number): number => {
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v) || Number(v) < 1) {
    process.stderr.write(`explorer: --${name}: expected a positive integer, found "${v}"\n\n${usage}`);
    process.exit(2);
  }
  return Number(v);
};

const { values } = parseArgs({
  options: { steps: { type: "string" }, seed: { type: "string" }, port: { type: "string" }, host: { type: "boolean" }, help: { type: "boolean", short: "h" } },
  strict: true,
});
if (values.help === true) {
  process.stdout.write(usage);
  process.exit(0);
}

const prepared = prepareDemoModel(
  { outDir: `${root}public`, cacheDir: defaultCacheDir(), seed: integer("seed", values.seed, 1), steps: integer("steps", values.steps, DEFAULT_STEPS), samples: 24 },
  { progress: (label, total) => startProgress({ label, total, stream: process.stderr }), note: (text) => process.stderr.write(`${text}\n`) },
);
if (E.isLeft(prepared)) {
  process.stderr.write(`explorer: could not prepare the demo model: ${prepared.left}\n`);
  process.exit(1);
}
process.stderr.write(`demo model: ${prepared.right.model}\n`);

const server = await createServer({ configFile: `${root}vite.config.ts`, server: { port: integer("port", values.port, 5173), host: values.host === true } });
await server.listen();
server.printUrls();
