/**
 * The explorer's Web Worker: loads the model and explains samples, off the page's thread. On start it says
 * which kernels this platform runs (WebAssembly SIMD, or JavaScript where a Content-Security-Policy without
 * 'wasm-unsafe-eval' forbids compiling WebAssembly).
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as T from "@dtd/tensor";
import * as L from "@dtd/layers";
import { explainSample } from "./explainSample.ts";
import { imageLayout } from "./layout.ts";
import { type LoadedModel, loadModel } from "./loaders.ts";
import type { ModelInfo, Request, Response } from "./protocol.ts";

/** The slice of a dedicated worker's global scope used here (the page's tsconfig has the DOM library). */
interface WorkerScope {
  onmessage: ((e: MessageEvent<Request>) => void) | null;
  postMessage: (message: Response, transfer?: Transferable[]) => void;
}
const scope = globalThis as unknown as WorkerScope;

let loaded: LoadedModel | undefined;

const infoOf = (m: LoadedModel): ModelInfo => {
  const layout = imageLayout(m.model.inputShape, m.metadata);
  const title = m.metadata["name"];
  return {
    name: m.name,
    format: m.format,
    inputShape: m.model.inputShape,
    outputs: T.Shape.size(L.outputShapeOf(m.model)),
    affine: m.model.nodes.flatMap((n, index) => (L.isAffine(n.layer) ? [{ index, name: n.name, kind: n.layer.kind }] : [])),
    layout: E.isRight(layout) ? { _tag: "Image", image: layout.right } : { _tag: "NotAnImage", reason: layout.left },
    notes: m.notes,
    title: typeof title === "string" ? title : undefined,
  };
};

/** Requests are handled one at a time, in order (a load finishes before the next explanation starts). */
let queue: Promise<void> = Promise.resolve();

const handle = async (req: Request): Promise<void> => {
  if (req._tag === "Load") {
    const r = await loadModel(req.files);
    if (E.isLeft(r)) {
      scope.postMessage({ _tag: "LoadFailed", message: `${req.files.name}: ${r.left}` });
      return;
    }
    loaded = r.right;
    scope.postMessage({ _tag: "Loaded", info: infoOf(loaded) });
    return;
  }
  if (loaded === undefined) {
    scope.postMessage({ _tag: "Refused", id: req.id, message: "no model is loaded" });
    return;
  }
  const t0 = performance.now();
  const r = explainSample(loaded.model, req.x, req.spec, req.choice);
  const ms = performance.now() - t0;
  if (E.isLeft(r)) scope.postMessage({ _tag: "Refused", id: req.id, message: r.left });
  else scope.postMessage({ _tag: "Explained", id: req.id, outcome: r.right, ms }, [r.right.R.buffer]);
};

scope.onmessage = (e) => {
  queue = queue.then(() => handle(e.data)).catch((u: unknown) => {
    const message = `unexpected error: ${u instanceof Error ? u.message : String(u)}`;
    scope.postMessage(e.data._tag === "Load" ? { _tag: "LoadFailed", message } : { _tag: "Refused", id: e.data.id, message });
  });
};

scope.postMessage({ _tag: "Ready", kernels: T.kernels() });
