/**
 * The explorer in a real browser (Debian's Chromium driven by playwright-core): the built page is served
 * statically, with the demo's model trained for a few steps next to it. The tests draw, switch methods, open
 * model files and images, and check every number the page shows against the same explanation computed here in
 * Node with the library — bit for bit (the float64 kernels give the same bits in WebAssembly and in
 * JavaScript). Under a strict Content-Security-Policy the page must work with and without 'wasm-unsafe-eval'
 * and say which kernels run. A screenshot is saved to .cache/explorer/.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as E from "fp-ts/lib/Either.js";
import type { Browser, Page } from "playwright-core";
import { build, createServer } from "vite";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import { installNativeKernels, unsafeMake } from "@dtd/tensor/unsafe";
import * as L from "@dtd/layers";
import * as DT from "@dtd/deep-taylor";
import { importModel, message } from "@dtd/import";
import { parseModel } from "@dtd/model-io";
import { Image, imageToInput } from "@dtd/viz";
import { encodePng } from "@dtd/viz/png";
import { silent } from "@dtd/examples";
import { prepareDemoModel } from "../scripts/demoModel.ts";
import { formatNumber } from "../src/picture.ts";
import type { Snapshot } from "../src/page/main.ts";
import { launchChromium } from "../scripts/browser.ts";
import { type StaticServer, serveStatic } from "../scripts/staticServer.ts";

// The page runs the WebAssembly kernels (a browser has no native ones): Node's side of the bit-for-bit comparisons
// runs them too, not the native kernels vitest.setup.ts installs, whose float64 sums fuse multiply and add.
installNativeKernels(undefined);

const here = fileURLToPath(new URL("..", import.meta.url));
const repo = fileURLToPath(new URL("../../..", import.meta.url));
const site = mkdtempSync(join(tmpdir(), "dtd-explorer-site-"));
const cache = mkdtempSync(join(tmpdir(), "dtd-explorer-cache-"));
const shots = join(repo, ".cache", "explorer");

/** A strict policy: only this origin's scripts, workers, styles, images and fetches; WebAssembly only if asked. */
const csp = (wasm: boolean): string =>
  [
    "default-src 'none'",
    `script-src 'self'${wasm ? " 'wasm-unsafe-eval'" : ""}`,
    "worker-src 'self'",
    "connect-src 'self'",
    "style-src 'self'",
    "img-src 'self' blob:",
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");

let browser: Browser;
const servers: StaticServer[] = [];
let plain: StaticServer;
let demo: L.Model;

beforeAll(async () => {
  await build({ configFile: join(here, "vite.config.ts"), logLevel: "warn", build: { outDir: site, emptyOutDir: true } });
  // The demo's model after 150 SGD steps (a few seconds): a real, if weak, detector with the demo's recipe.
  const prepared = prepareDemoModel({ outDir: site, cacheDir: cache, seed: 1, steps: 150, samples: 4 }, silent);
  if (E.isLeft(prepared)) throw new Error(prepared.left);
  const decoded = parseModel(readFileSync(prepared.right.model, "utf8"));
  if (E.isLeft(decoded)) throw new Error("the prepared model does not decode");
  demo = decoded.right.model;
  plain = await serveStatic(site);
  servers.push(plain);
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  for (const s of servers) await s.close();
  rmSync(site, { recursive: true, force: true });
  rmSync(cache, { recursive: true, force: true });
});

const snapshot = (page: Page): Promise<Snapshot> => page.evaluate(() => (window as unknown as { dtdExplorer: { snapshot: () => Snapshot } }).dtdExplorer.snapshot());

/** Waits until the page has answered a request newer than `after` (explained or refused) and nothing is pending. */
const answered = async (page: Page, after: number): Promise<Snapshot> => {
  await page.waitForFunction(
    (id) => {
      const s = (window as unknown as { dtdExplorer?: { snapshot: () => Snapshot } }).dtdExplorer?.snapshot();
      return s !== undefined && !s.busy && s.answered.id > id;
    },
    after,
    { timeout: 30_000 },
  );
  return snapshot(page);
};

/** The same, for an answer that must be an explanation. */
const settled = async (page: Page, after: number): Promise<NonNullable<Snapshot["shown"]> & { readonly snap: Snapshot }> => {
  const snap = await answered(page, after);
  expect(snap.answered.refused, "the page refused to explain").toBeUndefined();
  return { ...snap.shown!, snap };
};

const open = async (url: string): Promise<{ page: Page; errors: string[] }> => {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console: ${m.text()}`);
  });
  await page.goto(url);
  return { page, errors };
};

const text = (page: Page, id: string): Promise<string> => page.locator(`#${id}`).innerText();

const zPlus = DT.uniform(DT.deriveRule(DT.zPlus));

/** The library's explanation of the page's input, computed here. */
const nodeExplain = (model: L.Model, x: readonly number[], composite: DT.Composite, opts: DT.ExplainOptions = {}): { f: number; R: number[] } => {
  const e = DT.explain(model, unsafeMake([1, ...model.inputShape], Float64Array.from(x)), composite, opts);
  if (E.isLeft(e)) throw new Error(DT.message(e.left));
  return { f: e.right.f.data[0]!, R: Array.from(e.right.R.data) };
};

const baseline = (b: E.Either<DT.DtdError, DT.Baselines.BaselineExplanation>): { f: number; R: number[] } => {
  if (E.isLeft(b)) throw new Error(DT.message(b.left));
  return { f: b.right.f.data[0]!, R: Array.from(b.right.R.data) };
};

/** f and every R_p the page holds are Node's, bit for bit, and the page shows f and Σ R as formatted from them. */
const expectSameAsNode = async (page: Page, shown: { f: number; R: readonly number[] }, node: { f: number; R: readonly number[] }): Promise<void> => {
  expect(Object.is(shown.f, node.f), `f: page ${shown.f}, Node ${node.f}`).toBe(true);
  expect(shown.R.length).toBe(node.R.length);
  const differing = shown.R.flatMap((r, p) => (Object.is(r, node.R[p]) ? [] : [p]));
  expect(differing, "pixels whose relevance differs from Node's").toEqual([]);
  expect(await text(page, "out-f")).toBe(formatNumber(node.f));
  let sum = 0;
  for (const r of node.R) sum += r;
  expect(await text(page, "out-sum")).toBe(formatNumber(sum));
};

describe("the explorer page, served statically, in Chromium", () => {
  let page: Page;
  let errors: string[];
  beforeAll(async () => {
    ({ page, errors } = await open(plain.url));
  }, 60_000);

  test("loads the demo model in its worker, says which kernels run, and explains the first test pair with z⁺ as Node does", async () => {
    const s = await settled(page, 0);
    expect(s.snap.kernels).toBe("wasm-simd");
    expect(await text(page, "kernels")).toBe("WebAssembly SIMD");
    expect(s.snap.model?.name).toBe("mnist-demo.json");
    expect(s.snap.model?.layout).toEqual({ _tag: "Image", image: { channels: 1, height: 28, width: 56, from: "metadata.imageShape" } });
    expect(s.method).toBe("z⁺");
    expect(s.x.some((v) => v > 0)).toBe(true);
    await expectSameAsNode(page, s, nodeExplain(demo, s.x, zPlus));
    expect(s.consistency.consistent).toBe(true);
    expect(await text(page, "out-consistent")).toBe("yes: conservative and positive");
    expect(await text(page, "out-roots")).toMatch(/^all \d+ active neurons: roots, on the segment, in the domain$/);
  });

  test("drawing a stroke updates the heatmap while the pointer moves, and the numbers are Node's", async () => {
    const before = (await snapshot(page)).shown!.id;
    await page.click("#clear");
    const cleared = await settled(page, before);
    expect(cleared.x.every((v) => v === 0)).toBe(true);
    expect(cleared.f).toBe(0);
    const box = (await page.locator("#input").boundingBox())!;
    // A "1" on the left half and a bar on the right: 20 pointer moves.
    await page.mouse.move(box.x + box.width * 0.22, box.y + box.height * 0.2);
    await page.mouse.down();
    for (let k = 1; k <= 10; k++) await page.mouse.move(box.x + box.width * 0.24, box.y + box.height * (0.2 + 0.06 * k), { steps: 1 });
    await page.mouse.up();
    await page.mouse.move(box.x + box.width * 0.62, box.y + box.height * 0.5);
    await page.mouse.down();
    for (let k = 1; k <= 10; k++) await page.mouse.move(box.x + box.width * (0.62 + 0.025 * k), box.y + box.height * 0.5, { steps: 1 });
    await page.mouse.up();
    const drawn = await settled(page, cleared.id);
    expect(drawn.id - cleared.id, "explanations computed while drawing").toBeGreaterThan(1);
    expect(drawn.x.filter((v) => v > 0.5).length).toBeGreaterThan(20);
    await expectSameAsNode(page, drawn, nodeExplain(demo, drawn.x, zPlus));
  });

  const zb = DT.zB(0, 1);
  if (E.isLeft(zb)) throw new Error(zb.left);
  const zbRule = DT.deriveRule(zb.right);
  const w2Rule = DT.deriveRule(DT.w2);
  const reference = {
    w2: (x: readonly number[]) => nodeExplain(demo, x, DT.uniform(w2Rule)),
    zb: (x: readonly number[]) => nodeExplain(demo, x, DT.layerwise({ first: zbRule, rest: DT.deriveRule(DT.zPlus) })),
    trainingFreeW2: (x: readonly number[]) => nodeExplain(demo, x, DT.trainingFree(w2Rule)),
    sensitivity: (x: readonly number[]) => baseline(DT.Baselines.sensitivity(demo, unsafeMake([1, 1568], Float64Array.from(x)))),
    gradientXInput: (x: readonly number[]) => baseline(DT.Baselines.gradientXInput(demo, unsafeMake([1, 1568], Float64Array.from(x)))),
  } as const;
  const names = { w2: "w²", zb: "zᵇ", trainingFreeW2: "w², proportional", sensitivity: "sensitivity", gradientXInput: "gradientXInput" } as const;

  for (const preset of Object.keys(reference) as (keyof typeof reference)[]) {
    test(`switching the method to ${preset}: the page's numbers are Node's`, async () => {
      const before = (await snapshot(page)).shown!.id;
      await page.selectOption("#method", preset);
      const s = await settled(page, before);
      expect(s.method).toBe(names[preset]);
      await expectSameAsNode(page, s, reference[preset](s.x));
    });
  }

  test("a per-layer composite: one menu per affine layer", async () => {
    const before = (await snapshot(page)).shown!.id;
    await page.selectOption("#method", "perLayer");
    const first = await settled(page, before);
    expect(await page.locator("#per-layer select").count()).toBe(demo.layers.filter((l) => l.kind === "dense").length);
    await page.selectOption("#per-layer select >> nth=0", "w2");
    const s = await settled(page, first.id);
    expect(s.method).toBe("w²");
    await expectSameAsNode(page, s, reference.w2(s.x));
  });

  test("an image dropped on the canvas, dark ink on light paper, inverted: what the model sees is Node's reading of it", async () => {
    await page.check("#invert");
    const before = (await snapshot(page)).shown!.id;
    // 56 × 28, white paper with a dark 7-like stroke on the left.
    const img = Image.make(56, 28, { r: 255, g: 255, b: 255, a: 255 });
    for (let x = 8; x < 22; x++) Image.setPixel(img, x, 6, { r: 0, g: 0, b: 0, a: 255 });
    for (let k = 0; k < 16; k++) Image.setPixel(img, 21 - Math.floor(k / 2), 7 + k, { r: 30, g: 30, b: 30, a: 255 });
    const bytes = [...encodePng(img)];
    await page.evaluate((b) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(b)], "seven.png", { type: "image/png" }));
      document.getElementById("input")!.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, bytes);
    const s = await settled(page, before);
    // The page inverts the picture (255 − c per channel) and reads it like every other image.
    const inverted = Image.fromRgba(56, 28, img.data.map((c, i) => (i % 4 === 3 ? c : 255 - c)));
    expect(s.x).toEqual(Array.from(imageToInput(inverted, { channels: 1, range: [0, 1] }).data));
    await expectSameAsNode(page, s, reference.w2(s.x));
    await page.uncheck("#invert");
  });

  test("the next MNIST test pair, z⁺ again; a screenshot of the page is saved", async () => {
    const before = (await snapshot(page)).shown!.id;
    await page.selectOption("#method", "zplus");
    await page.click("#sample");
    const s = await settled(page, before);
    await expectSameAsNode(page, s, nodeExplain(demo, s.x, zPlus));
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: join(shots, "explorer.png"), fullPage: true });
    expect(errors).toEqual([]);
  });
});

/** A 4 × 4 gray image: a diagonal stroke. */
const png = (): Buffer => {
  const img = Image.make(4, 4, { r: 0, g: 0, b: 0, a: 255 });
  for (let i = 0; i < 4; i++) Image.setPixel(img, i, i, { r: 255, g: 255, b: 255, a: 255 });
  Image.setPixel(img, 1, 0, { r: 128, g: 128, b: 128, a: 255 });
  return Buffer.from(encodePng(img));
};

describe("opening a model file and an image, picking a class", () => {
  const onnx = join(repo, "packages", "import", "test", "fixtures", "onnx", "mlp.onnx");

  test("an ONNX classifier (through @dtd/import) and a PNG: refused by z⁺ (positive biases), explained leniently and per class as in Node", async () => {
    const { page, errors } = await open(plain.url);
    const first = await settled(page, 0);
    await page.setInputFiles("#model-file", onnx);
    // Its first layer has a positive bias: z⁺ refuses, and the page says why.
    const refusedBlack = await answered(page, first.id);
    expect(refusedBlack.model?.name).toBe("mlp.onnx");
    expect(refusedBlack.model?.format).toBe("onnx");
    expect(refusedBlack.model?.outputs).toBe(3);
    expect(refusedBlack.model?.notes.join(" ")).toContain("softmax");
    expect(await page.locator("#target-row").isVisible()).toBe(true);
    expect(refusedBlack.answered.refused).toContain("expected a bias b ≤ 0");
    expect(await text(page, "status")).toContain("explain anyway");
    await page.setInputFiles("#image-file", { name: "stroke.png", mimeType: "image/png", buffer: png() });
    const refused = await answered(page, refusedBlack.answered.id);
    expect(refused.answered.refused).toContain("expected a bias b ≤ 0");
    // The browser decoded the PNG as Node does.
    const decoded = imageToInput(Image.fromRgba(4, 4, Uint8Array.from(await canvasRgba(page))), { channels: 1, range: [0, 1] });
    await page.check("#lenient");
    const lenient = await settled(page, refused.answered.id);
    expect(lenient.x).toEqual(Array.from(decoded.data));
    expect(lenient.explained).toBe(0);
    const imported = importModel(readFileSync(onnx), { name: "mlp.onnx", dtype: "float64" });
    if (E.isLeft(imported)) throw new Error(message(imported.left));
    const model = imported.right.model;
    await expectSameAsNode(page, lenient, nodeExplain(model, lenient.x, zPlus, { lenient: true, target: { _tag: "classes", classes: [0] } }));
    expect(await text(page, "notes")).toContain("expected a bias b ≤ 0");
    await page.selectOption("#target", "2");
    const class2 = await settled(page, lenient.id);
    expect(class2.explained).toBe(2);
    expect(await text(page, "out-method")).toBe("z⁺ ×2 — class 2");
    await expectSameAsNode(page, class2, nodeExplain(model, class2.x, zPlus, { lenient: true, target: { _tag: "classes", classes: [2] } }));
    // Gradient × input of class 2, against R_p = x_p ∂f₂/∂x_p from the model's VJP here.
    await page.selectOption("#method", "gradientXInput");
    const gxi = await settled(page, class2.id);
    const x = unsafeMake([1, 1, 4, 4], Float64Array.from(gxi.x));
    const [y, pullback] = L.modelVjp(model, x);
    const grad = pullback(unsafeMake([1, 3], Float64Array.from([0, 0, 1])))[0]!;
    await expectSameAsNode(page, gxi, { f: y.data[2]!, R: Array.from(T.mul(x, grad).data) });
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe("opening a TF.js model: model.json and its weight shard, selected together", () => {
  /** Flatten (NHWC 4 × 4 × 1) → Dense(2, softmax), with weights from a fixed stream. */
  const modelJson = {
    format: "layers-model",
    modelTopology: {
      class_name: "Sequential",
      config: {
        name: "tiny",
        layers: [
          { class_name: "Flatten", config: { name: "flat", batch_input_shape: [null, 4, 4, 1] } },
          { class_name: "Dense", config: { name: "out", units: 2, activation: "softmax", use_bias: true } },
        ],
      },
    },
    weightsManifest: [{ paths: ["tiny.weights.bin"], weights: [{ name: "out/kernel", shape: [16, 2], dtype: "float32" }, { name: "out/bias", shape: [2], dtype: "float32" }] }],
  };
  const weights = Float32Array.from({ length: 34 }, (_, i) => (i < 32 ? Math.sin(1 + i) : -0.25));

  test("the page reads both files, drops the softmax, and explains class 1 as Node does", async () => {
    const { page, errors } = await open(plain.url);
    const first = await settled(page, 0);
    await page.setInputFiles("#model-file", [
      { name: "tiny.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(modelJson)) },
      { name: "tiny.weights.bin", mimeType: "application/octet-stream", buffer: Buffer.from(weights.buffer) },
    ]);
    await page.selectOption("#method", "gradientXInput");
    await page.selectOption("#target", "1");
    await page.setInputFiles("#image-file", { name: "stroke.png", mimeType: "image/png", buffer: png() });
    await page.waitForFunction(() => (window as unknown as { dtdExplorer: { snapshot: () => Snapshot } }).dtdExplorer.snapshot().shown?.x.some((v) => v > 0) === true);
    const s = await settled(page, first.id);
    expect(s.snap.model?.format).toBe("tfjs");
    expect(s.snap.model?.inputShape).toEqual([1, 4, 4]);
    expect(s.snap.model?.notes.join(" ")).toContain("softmax");
    expect(s.explained).toBe(1);
    const imported = importModel(new TextEncoder().encode(JSON.stringify(modelJson)), { name: "tiny.json", readFile: (path) => (path === "tiny.weights.bin" ? new Uint8Array(weights.buffer) : undefined), dtype: "float64" });
    if (E.isLeft(imported)) throw new Error(message(imported.left));
    const x = unsafeMake([1, 1, 4, 4], Float64Array.from(s.x));
    const [y, pullback] = L.modelVjp(imported.right.model, x);
    const grad = pullback(unsafeMake([1, 2], Float64Array.from([0, 1])))[0]!;
    await expectSameAsNode(page, s, { f: y.data[1]!, R: Array.from(T.mul(x, grad).data) });
    expect(errors).toEqual([]);
    await page.close();
  });
});

/** The RGBA of the page's input canvas (what the browser made of the image). */
const canvasRgba = (page: Page): Promise<number[]> =>
  page.evaluate(() => {
    const c = document.getElementById("input") as HTMLCanvasElement;
    return Array.from(c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data);
  });

describe("pnpm explorer's dev server (Vite: TypeScript compiled on request, the worker as a module)", () => {
  test("serves the page, which explains the demo's first test pair as Node does", async () => {
    const pub = mkdtempSync(join(tmpdir(), "dtd-explorer-public-"));
    const viteCache = mkdtempSync(join(tmpdir(), "dtd-explorer-vite-"));
    cpSync(join(site, "models"), join(pub, "models"), { recursive: true });
    const server = await createServer({ configFile: join(here, "vite.config.ts"), publicDir: pub, cacheDir: viteCache, logLevel: "warn", server: { port: 0, host: "127.0.0.1" } });
    try {
      await server.listen();
      const { page, errors } = await open(server.resolvedUrls!.local[0]!);
      const s = await settled(page, 0);
      expect(s.snap.kernels).toBe("wasm-simd");
      await expectSameAsNode(page, s, nodeExplain(demo, s.x, zPlus));
      expect(errors).toEqual([]);
      await page.close();
    } finally {
      await server.close();
      rmSync(pub, { recursive: true, force: true });
      rmSync(viteCache, { recursive: true, force: true });
    }
  }, 60_000);
});

describe("under a strict Content-Security-Policy", () => {
  for (const wasm of [true, false]) {
    test(`${wasm ? "with" : "without"} 'wasm-unsafe-eval': the page works, says it runs the ${wasm ? "WebAssembly" : "JavaScript"} kernels, and its numbers are Node's`, async () => {
      const server = await serveStatic(site, { "content-security-policy": csp(wasm) });
      servers.push(server);
      const { page, errors } = await open(server.url);
      const violations: string[] = [];
      await page.exposeFunction("reportViolation", (v: string) => violations.push(v));
      await page.evaluate(() =>
        document.addEventListener("securitypolicyviolation", (e) => (window as unknown as { reportViolation: (v: string) => void }).reportViolation(`${e.violatedDirective} ${e.blockedURI}`)),
      );
      const s = await settled(page, 0);
      expect(s.snap.kernels).toBe(wasm ? "wasm-simd" : "js");
      expect(await text(page, "kernels")).toBe(wasm ? "WebAssembly SIMD" : "JavaScript (WebAssembly is unavailable or not allowed by this page's Content-Security-Policy)");
      await expectSameAsNode(page, s, nodeExplain(demo, s.x, zPlus));
      expect(s.consistency.consistent).toBe(true);
      // Nothing but (without 'wasm-unsafe-eval') the refused WebAssembly compilation is blocked.
      expect(violations).toEqual([]);
      expect(errors.filter((e) => !(!wasm && /wasm-unsafe-eval|WebAssembly/.test(e)))).toEqual([]);
      await page.close();
    });
  }
});
