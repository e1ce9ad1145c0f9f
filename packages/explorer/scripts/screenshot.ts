/**
 * `pnpm explorer:screenshot [--steps N] [--out FILE]`: the README's picture of the page — the page built, the
 * demo's model (as `pnpm explorer` prepares it) next to it, a held-out test pair explained with z⁺ in Debian's
 * Chromium — written to docs/images/explorer.png.
 * @module
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import * as E from "fp-ts/lib/Either.js";
import { build } from "vite";
import { DEFAULT_STEPS, defaultCacheDir } from "@dtd/examples";
import { startProgress } from "@dtd/cli";
import { launchChromium } from "./browser.ts";
import { prepareDemoModel } from "./demoModel.ts";
import { serveStatic } from "./staticServer.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const { values } = parseArgs({ options: { steps: { type: "string" }, out: { type: "string" }, sample: { type: "string" } }, strict: true });
const site = mkdtempSync(join(tmpdir(), "dtd-explorer-shot-"));
await build({ configFile: join(root, "vite.config.ts"), logLevel: "warn", build: { outDir: site, emptyOutDir: true } });
const prepared = prepareDemoModel(
  { outDir: site, cacheDir: defaultCacheDir(), seed: 1, steps: Number(values.steps ?? DEFAULT_STEPS), samples: 24 },
  { progress: (label, total) => startProgress({ label, total, stream: process.stderr }), note: (text) => process.stderr.write(`${text}\n`) },
);
if (E.isLeft(prepared)) throw new Error(prepared.left);
const server = await serveStatic(site);
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 }, deviceScaleFactor: 1 });
  await page.goto(server.url);
  const wait = (after: number) =>
    page.waitForFunction((id) => {
      const s = (window as unknown as { dtdExplorer: { snapshot: () => { busy: boolean; answered: { id: number } } } }).dtdExplorer.snapshot();
      return !s.busy && s.answered.id > id;
    }, after);
  await wait(0);
  for (let k = 1; k < Number(values.sample ?? 1); k++) {
    await page.click("#sample");
    await wait(k);
  }
  const out = values.out ?? join(root, "..", "..", "docs", "images", "explorer.png");
  await page.screenshot({ path: out, fullPage: true });
  process.stderr.write(`wrote ${out}\n`);
} finally {
  await browser.close();
  await server.close();
  rmSync(site, { recursive: true, force: true });
}
