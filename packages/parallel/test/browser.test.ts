/**
 * The pool's browser platform in a real browser: Debian's Chromium driven by playwright-core runs the test page
 * (test/browser/: Vite-built, its Web Worker calling `serve` from `@dtd/parallel`'s browser entry) — once
 * cross-origin isolated (COOP/COEP headers: weights and inputs in SharedArrayBuffers) and once not (weights copied
 * once, batches transferred). The model and inputs are made here and sent to the page as data. Each run's outcomes
 * must be, in input order and bit for bit, those of `DT.explain` on the same batches computed here in Node (the
 * kernels give the same bits in the browser's WebAssembly or JavaScript as in Node's), and those of the page's own
 * single thread (`workers: 0`); unreadable and refused inputs fail alone; an AbortSignal stops a run.
 * A screenshot of the page is saved to .cache/parallel/.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as E from "fp-ts/lib/Either.js";
import { type Browser, chromium, type Page } from "playwright-core";
import { build, preview, type PreviewServer } from "vite";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import * as DT from "@dtd/deep-taylor";
import * as P from "@dtd/parallel";
import { installNativeKernels } from "@dtd/tensor/unsafe";
import { type CancelReply, modelOf, type NetChoice, type Plain, poisoned, type RunReply, type RunRequest } from "./browser/cases.ts";
import { expectReference, reference } from "./fixtures/reference.ts";

// The page's workers run the WebAssembly kernels (a browser has no native ones): the Node references these
// bit-for-bit comparisons use run them too, not the native kernels vitest.setup.ts installs.
installNativeKernels(undefined);

const root = fileURLToPath(new URL("./browser", import.meta.url));
const shots = fileURLToPath(new URL("../../../.cache/parallel", import.meta.url));
const site = mkdtempSync(join(tmpdir(), "dtd-parallel-site-"));
const chromiumPath = process.env["DTD_CHROMIUM"] ?? "/usr/bin/chromium";

let browser: Browser;
const servers: PreviewServer[] = [];
const urls: { isolated: string; plain: string } = { isolated: "", plain: "" };

const serve = async (headers: Record<string, string>): Promise<string> => {
  const s = await preview({ root, configFile: false, logLevel: "warn", build: { outDir: site }, preview: { host: "127.0.0.1", port: 0, headers } });
  servers.push(s);
  return s.resolvedUrls!.local[0]!;
};

beforeAll(async () => {
  if (!existsSync(chromiumPath)) throw new Error(`expected Chromium at ${chromiumPath}: install Debian's package (apt-get install chromium; .ci/run does) or set DTD_CHROMIUM`);
  await build({ root, configFile: false, logLevel: "warn", base: "./", worker: { format: "es" }, build: { outDir: site, emptyOutDir: true, target: "es2022" } });
  urls.isolated = await serve({ "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" });
  urls.plain = await serve({});
  // Headless, off the network (without these flags Chromium keeps trying to reach Google's services).
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  for (const s of servers) await s.close();
  rmSync(site, { recursive: true, force: true });
});

const open = async (url: string): Promise<{ page: Page; errors: string[] }> => {
  const page = await browser.newPage({ viewport: { width: 1000, height: 420 } });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("console", (m) => void (m.type() === "error" && errors.push(`console: ${m.text()}`)));
  await page.goto(url);
  await page.waitForFunction(() => "dtdParallel" in window, undefined, { timeout: 30_000 });
  return { page, errors };
};

type PageApi = { run: (r: RunRequest) => Promise<RunReply>; cancel: (after: number) => Promise<CancelReply> };
/** Runs in the page (playwright sends the functions' source: they cannot call this module's functions). */
const run = (page: Page, r: RunRequest): Promise<RunReply> => page.evaluate((r) => (window as unknown as { dtdParallel: PageApi }).dtdParallel.run(r), r);
const cancel = (page: Page, after: number): Promise<CancelReply> => page.evaluate((n) => (window as unknown as { dtdParallel: PageApi }).dtdParallel.cancel(n), after);

/** The page's plain outcomes as the pool's, for the shared reference check. */
const outcomes = (ps: readonly Plain[]): P.Outcome[] =>
  ps.map((p) => ({
    index: p.index,
    result: "error" in p ? E.left({ _tag: p.error, index: p.index, reason: p.message } as P.InputError) : E.right({ f: p.f, R: p.R } as unknown as P.Heatmap),
    payload: undefined,
  }));

const zPlus = DT.uniform(DT.deriveRule(DT.zPlus));

describe("Web Workers in Chromium", () => {
  test.each([
    ["cross-origin isolated", "isolated", { net: "dense", dtype: "float64", n: 45, batchSize: 4, workers: 2, poison: true }],
    ["cross-origin isolated", "isolated", { net: "conv", dtype: "float32", n: 30, batchSize: 8, workers: 3, poison: false }],
    ["not isolated", "plain", { net: "dense", dtype: "float64", n: 45, batchSize: 4, workers: 2, poison: true }],
  ] as const)("%s, %j: in input order, bit for bit DT.explain in Node and the page's own thread; bad inputs fail alone", async (_, where, req: NetChoice & { n: number; batchSize: number; workers: number; poison: boolean }) => {
    const { page, errors } = await open(urls[where]);
    try {
      const model = modelOf(req);
      const xs = poisoned(model, req.n, req.poison);
      const reply = await run(page, { model: P.toModelData(model, { share: false }), xs, batchSize: req.batchSize, workers: req.workers });
      expect([reply.platform, reply.workers, reply.isolated, reply.shared]).toEqual(["browser", req.workers, where === "isolated", where === "isolated"]);
      const expected = reference(model, xs, zPlus, req.batchSize);
      expectReference(outcomes(reply.pool), expected);
      expectReference(outcomes(reply.thread), expected);
      const failed = reply.pool.flatMap((o) => ("error" in o ? [[o.index, o.error]] : []));
      expect(failed).toEqual(req.poison ? [[3, "InvalidInput"], [7, "InvalidInput"], [10, "Refused"]] : []);
      if (req.poison) expect(reply.pool.find((o) => o.index === 10 && "error" in o)).toMatchObject({ message: expect.stringMatching(/^input 10: precondition of rule zplus violated .* of sample 10: expected x ≥ 0, found -0.25$/) });
      expect(await page.locator("#log").innerText()).toContain("bit for bit this thread's: yes");
      expect(errors).toEqual([]);
      if (req.net === "dense" && where === "isolated") {
        mkdirSync(shots, { recursive: true });
        await cancel(page, 10);
        await page.screenshot({ path: join(shots, "browser-pool.png") });
      }
    } finally {
      await page.close();
    }
  });

  test("an AbortSignal stops the run: the outcomes so far, in order, then the pool is closed", async () => {
    const { page, errors } = await open(urls.plain);
    try {
      const r = await cancel(page, 10);
      expect(r.seen.length).toBeGreaterThanOrEqual(10);
      expect(r.seen.length).toBeLessThan(400);
      expect(r.seen).toEqual(r.seen.map((_, i) => i));
      expect(r.again).toBe("Closed");
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
