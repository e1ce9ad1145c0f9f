/**
 * The explorer page: wires the controls, the canvases and the Web Worker. The page only draws and reads pixels;
 * every number comes from the worker (worker.ts), one request at a time — while one is being computed, only the
 * latest input waits, so drawing stays live and the page never freezes.
 *
 * `window.dtdExplorer` exposes what is on screen (the input sent, the outcome drawn, the kernels) for automated
 * tests and for the curious.
 * @module
 */
import type { Consistency } from "@dtd/deep-taylor";
import type { Kernels } from "@dtd/tensor";
import type { ExplainChoice, Outcome } from "../explainSample.ts";
import type { ImageLayout } from "../layout.ts";
import type { ModelFiles } from "../loaders.ts";
import { type MethodSpec, type PresetId, presetIds, presets, type RuleId, ruleLabels } from "../methods.ts";
import { formatNumber, heatmap, overlay } from "../picture.ts";
import type { ModelInfo, Request, Response } from "../protocol.ts";
import { clearCanvas, enableDrawing, fitCanvas, getRgba, paintImage, paintValues, putRgba, readInput } from "./canvas.ts";
import { ui } from "./elements.ts";
import { consistencyText, rootsText } from "./report.ts";

/** A sample of the demo's held-out test pairs (models/mnist-samples.json). */
interface Sample {
  readonly x: readonly number[];
  readonly caption: string;
}

interface Sent {
  readonly id: number;
  readonly x: Float64Array;
  readonly spec: MethodSpec;
  readonly choice: ExplainChoice;
}

const state = {
  kernels: undefined as Kernels | undefined,
  info: undefined as ModelInfo | undefined,
  layout: undefined as ImageLayout | undefined,
  nextId: 1,
  inFlight: undefined as Sent | undefined,
  pending: false,
  shown: undefined as { readonly request: Sent; readonly outcome: Outcome; readonly ms: number } | undefined,
  /** The last request answered (explained or refused) and, if refused, why. */
  answered: { id: 0, refused: undefined as string | undefined },
  samples: [] as Sample[],
  sampleIndex: 0,
};

const worker = new Worker(new URL("../worker.ts", import.meta.url), { type: "module" });
const send = (req: Request, transfer: Transferable[] = []): void => worker.postMessage(req, transfer);

const say = (text: string, ok = false): void => {
  ui.status.textContent = text;
  ui.status.classList.toggle("ok", ok);
};

// ——— the method ————————————————————————————————————————————————————————————————

for (const id of presetIds) ui.method.add(new Option(presets[id].label, id));

const perLayerRules = (): RuleId[] => [...ui.perLayer.querySelectorAll("select")].map((s) => s.value as RuleId);

const box = (): readonly [number, number] => [Number(ui.boxLow.value), Number(ui.boxHigh.value)];

const currentSpec = (): MethodSpec => presets[ui.method.value as PresetId].spec(state.info?.affine.length ?? 0, box(), perLayerRules());

const currentChoice = (): ExplainChoice => ({ target: ui.target.value === "argmax" ? "argmax" : Number(ui.target.value), lenient: ui.lenient.checked });

const showMethodControls = (): void => {
  ui.perLayer.hidden = ui.method.value !== "perLayer";
  const spec = currentSpec();
  ui.boxRow.hidden = !(spec._tag === "DeepTaylor" && spec.rules.includes("zb"));
};

const buildPerLayer = (info: ModelInfo): void => {
  ui.perLayer.replaceChildren(
    ...info.affine.map((a, k) => {
      const label = document.createElement("label");
      const select = document.createElement("select");
      for (const r of ["zplus", "w2", "zb"] as const) select.add(new Option(ruleLabels[r], r));
      select.dataset["layer"] = String(k);
      select.addEventListener("change", () => {
        showMethodControls();
        explainNow();
      });
      label.append(`layer ${a.index} (${a.name}) `, select);
      return label;
    }),
  );
};

const buildTargets = (info: ModelInfo): void => {
  ui.targetRow.hidden = info.outputs <= 1;
  ui.target.replaceChildren(new Option("the largest score (argmax)", "argmax"), ...Array.from({ length: info.outputs }, (_, k) => new Option(`class ${k}`, String(k))));
};

// ——— explaining ————————————————————————————————————————————————————————————————

/** Asks the worker for the current input (or, if it is busy, remembers to ask once it answers). */
const explainNow = (): void => {
  if (state.layout === undefined) return;
  if (state.inFlight !== undefined) {
    state.pending = true;
    return;
  }
  const sent: Sent = { id: state.nextId++, x: readInput(ui.input, state.layout), spec: currentSpec(), choice: currentChoice() };
  state.inFlight = sent;
  send({ _tag: "Explain", ...sent, x: sent.x.slice() });
};

/** Empties the heatmap and the numbers (a refused request leaves nothing to show). */
const clearResult = (): void => {
  if (state.layout !== undefined) fitCanvas(ui.heatmap, state.layout, "#fff");
  for (const cell of Object.values(ui.out)) cell.textContent = "";
  ui.notes.replaceChildren();
};

const render = (): void => {
  const shown = state.shown;
  if (shown === undefined || state.layout === undefined) return;
  const o = shown.outcome;
  putRgba(ui.heatmap, ui.overlay.checked ? overlay(getRgba(ui.input), o.R, state.layout) : heatmap(o.R, state.layout));
  const c = o.consistency;
  ui.out.method.textContent = o.explained === undefined ? o.method : `${o.method} — class ${o.explained}`;
  ui.out.f.textContent = formatNumber(o.f);
  ui.out.sum.textContent = formatNumber(c.sumR);
  ui.out.error.textContent = `${formatNumber(c.conservationError)} (tolerance ${formatNumber(c.tolerance)})`;
  ui.out.min.textContent = formatNumber(c.minRelevance);
  ui.out.consistent.textContent = consistencyText(o);
  ui.out.roots.textContent = rootsText(o);
  ui.out.time.textContent = `${shown.ms.toFixed(1)} ms in the worker`;
  ui.notes.replaceChildren(...o.notes.map((n) => Object.assign(document.createElement("li"), { textContent: n })));
  say("");
};

worker.addEventListener("message", (e: MessageEvent<Response>) => {
  const r = e.data;
  switch (r._tag) {
    case "Ready":
      state.kernels = r.kernels;
      ui.kernels.textContent = r.kernels === "wasm-simd" ? "WebAssembly SIMD" : "JavaScript (WebAssembly is unavailable or not allowed by this page's Content-Security-Policy)";
      ui.kernels.dataset["kernels"] = r.kernels;
      return;
    case "Loaded":
      onLoaded(r.info);
      return;
    case "LoadFailed":
      say(r.message);
      return;
    case "Explained":
    case "Refused": {
      const sent = state.inFlight;
      state.inFlight = undefined;
      state.answered = { id: r.id, refused: r._tag === "Refused" ? r.message : undefined };
      if (r._tag === "Explained" && sent !== undefined && sent.id === r.id) {
        state.shown = { request: sent, outcome: r.outcome, ms: r.ms };
        render();
      } else if (r._tag === "Refused") {
        state.shown = undefined;
        clearResult();
        say(`refused: ${r.message}${r.message.includes("precondition") ? " — tick “explain anyway” to see the heatmap with the violations listed" : ""}`);
      }
      if (state.pending) {
        state.pending = false;
        explainNow();
      }
      return;
    }
  }
});

// ——— models, images, samples ———————————————————————————————————————————————————

const onLoaded = (info: ModelInfo): void => {
  state.info = info;
  state.shown = undefined;
  const shape = `input [${info.inputShape.join(", ")}], ${info.outputs} output${info.outputs === 1 ? "" : "s"}`;
  ui.modelName.textContent = `${info.title ?? info.name} (${info.format}; ${shape})`;
  buildPerLayer(info);
  buildTargets(info);
  showMethodControls();
  if (info.layout._tag === "NotAnImage") {
    state.layout = undefined;
    say(`${info.name}: ${info.layout.reason}`);
    return;
  }
  state.layout = info.layout.image;
  fitCanvas(ui.input, state.layout);
  fitCanvas(ui.heatmap, state.layout, "#fff");
  const demo = info.name === DEMO_MODEL && state.samples.length > 0;
  ui.sample.hidden = !demo;
  if (demo) showSample();
  else explainNow();
  ui.notes.replaceChildren(...info.notes.map((n) => Object.assign(document.createElement("li"), { textContent: n })));
};

const load = (files: ModelFiles): void => {
  say(`loading ${files.name}…`, true);
  send({ _tag: "Load", files }, [files.bytes.buffer]);
};

const showSample = (): void => {
  const s = state.samples[state.sampleIndex % state.samples.length];
  if (s === undefined || state.layout === undefined) return;
  state.sampleIndex++;
  paintValues(ui.input, s.x, state.layout);
  ui.inputCaption.textContent = `input x: a held-out MNIST test pair, ${s.caption} — draw on it, clear it, or drop an image`;
  explainNow();
};

/** The demo's model and test pairs, prepared by `pnpm explorer` (or by the tests) next to the page. */
const DEMO_MODEL = "mnist-demo.json";

const fetchBytes = async (url: string): Promise<Uint8Array | undefined> => {
  try {
    const r = await fetch(url);
    return r.ok ? new Uint8Array(await r.arrayBuffer()) : undefined;
  } catch {
    return undefined;
  }
};

const start = async (): Promise<void> => {
  const samples = await fetchBytes("models/mnist-samples.json");
  if (samples !== undefined) state.samples = (JSON.parse(new TextDecoder().decode(samples)) as { samples: Sample[] }).samples;
  const model = await fetchBytes(`models/${DEMO_MODEL}`);
  if (model === undefined) say("No demo model next to this page (`pnpm explorer` trains or reuses it): open a model file.");
  else load({ name: DEMO_MODEL, bytes: model, others: new Map() });
};

ui.modelFile.addEventListener("change", async () => {
  const files = [...(ui.modelFile.files ?? [])];
  const main = files.find((f) => f.name.endsWith(".onnx")) ?? files.find((f) => f.name.endsWith(".json")) ?? files[0];
  if (main === undefined) return;
  const others = new Map<string, Uint8Array>();
  for (const f of files) if (f !== main) others.set(f.name, new Uint8Array(await f.arrayBuffer()));
  load({ name: main.name, bytes: new Uint8Array(await main.arrayBuffer()), others });
});

const openImage = async (file: File): Promise<void> => {
  if (state.layout === undefined) return;
  try {
    paintImage(ui.input, await createImageBitmap(file), ui.invert.checked);
    explainNow();
  } catch (u) {
    say(`${file.name}: not an image the browser can decode (${u instanceof Error ? u.message : String(u)})`);
  }
};

ui.imageFile.addEventListener("change", () => {
  const f = ui.imageFile.files?.[0];
  if (f !== undefined) void openImage(f);
});
ui.input.addEventListener("dragover", (e) => {
  e.preventDefault();
  ui.input.classList.add("drop");
});
ui.input.addEventListener("dragleave", () => ui.input.classList.remove("drop"));
ui.input.addEventListener("drop", (e) => {
  e.preventDefault();
  ui.input.classList.remove("drop");
  const f = e.dataTransfer?.files[0];
  if (f !== undefined) void openImage(f);
});

ui.method.addEventListener("change", () => {
  showMethodControls();
  explainNow();
});
for (const el of [ui.boxLow, ui.boxHigh, ui.target, ui.lenient]) el.addEventListener("change", explainNow);
ui.overlay.addEventListener("change", render);
ui.clear.addEventListener("click", () => {
  clearCanvas(ui.input);
  ui.inputCaption.textContent = "input x — draw here, or drop an image";
  explainNow();
});
ui.sample.addEventListener("click", showSample);
enableDrawing(ui.input, explainNow);

/** What is on screen, for tests and the curious (plain arrays: they survive any serialisation). */
const snapshot = () => ({
  kernels: state.kernels,
  model: state.info,
  busy: state.inFlight !== undefined || state.pending,
  answered: state.answered,
  shown:
    state.shown === undefined
      ? undefined
      : {
          id: state.shown.request.id,
          x: [...state.shown.request.x],
          spec: state.shown.request.spec,
          choice: state.shown.request.choice,
          f: state.shown.outcome.f,
          R: [...state.shown.outcome.R],
          outputs: [...state.shown.outcome.outputs],
          explained: state.shown.outcome.explained,
          consistency: state.shown.outcome.consistency as Consistency.SampleConsistency,
          roots: state.shown.outcome.roots,
          method: state.shown.outcome.method,
        },
  status: ui.status.textContent,
});
/** What `window.dtdExplorer.snapshot()` returns. */
export type Snapshot = ReturnType<typeof snapshot>;
(window as unknown as { dtdExplorer: { readonly snapshot: typeof snapshot } }).dtdExplorer = { snapshot };

void start();
