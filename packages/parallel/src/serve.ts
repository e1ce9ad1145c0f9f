/**
 * The worker's side of the pool, platform-neutral: rebuild the model and the composite once (Init), then explain
 * each batch that arrives and post its heatmaps back, transferred. A custom worker module calls the platform's
 * `serve` (from `@dtd/parallel`) with hooks: strategies by name (their functions live in the worker's code, so
 * composites can use any derived rule), a decoder that reads encoded samples (parsing on every core), an
 * encoder that turns each result (or each batch of results) into what the pool's caller wants (a JSON line, a PNG),
 * made on every core too.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as DT from "@dtd/deep-taylor";
import * as L from "@dtd/layers";
import { type StrategyRegistry, toComposite } from "./CompositeSpec.ts";
import { fromModelData } from "./ModelData.ts";
import type { Heatmap, Outcome } from "./Outcome.ts";
import { type Decoder, explainBatch, type WorkerModel } from "./internal/explainBatch.ts";
import type { Request, Response } from "./internal/protocol.ts";

export type { Decoder } from "./internal/explainBatch.ts";

/** What an encoder returns: a value for the pool's caller, and the buffers to transfer with it (not copy). */
export interface Encoding {
  readonly payload: unknown;
  readonly transfer?: readonly ArrayBuffer[];
}

/**
 * Makes something of one result in the worker (`Outcome.payload` on the caller's side). `x` is the input's
 * values (undefined when it could not be read); `name` the encoded sample's name; `options` what the pool was
 * started with (`PoolOptions.workerOptions`).
 */
export type Encoder = (
  outcome: Outcome<never>,
  x: ArrayLike<number> | undefined,
  ctx: { readonly model: L.Model; readonly name: string | undefined; readonly options: unknown },
) => Encoding | undefined;

/** One result of a batch, as a batch encoder receives it: what `Encoder` receives as its arguments. */
export interface Encodable {
  readonly outcome: Outcome<never>;
  readonly x: ArrayLike<number> | undefined;
  readonly name: string | undefined;
}

/**
 * Makes something of a whole batch's results at once: one payload per input, in order, and the buffers to
 * transfer — e.g. all the batch's records in one buffer, moved once, rather than one buffer per input (each a
 * separate allocation, transfer and object on the caller's side).
 */
export type BatchEncoder = (
  results: readonly Encodable[],
  ctx: { readonly model: L.Model; readonly options: unknown },
) => { readonly payloads: readonly unknown[]; readonly transfer?: readonly ArrayBuffer[] };

/** The hooks of a worker module. */
export interface ServeOptions {
  /** Strategies composites may name (`CompositeSpec.named`), derived in the worker. */
  readonly strategies?: StrategyRegistry;
  readonly decode?: Decoder;
  readonly encode?: Encoder;
  /** Instead of `encode`: the batch's results at once (used when given). */
  readonly encodeBatch?: BatchEncoder;
}

/** A message port, as each platform has one. */
export interface Endpoint {
  readonly post: (message: Response, transfer: readonly ArrayBuffer[]) => void;
  readonly listen: (handler: (message: Request) => void) => void;
}

/** A reply and what it transfers. */
export interface Reply {
  readonly message: Response;
  readonly transfer: readonly ArrayBuffer[];
}

/** A buffer that can be transferred: an ArrayBuffer (not shared) that the array covers entirely. */
const ownBuffer = (a: Float64Array | Float32Array): ArrayBuffer | undefined =>
  a.buffer instanceof ArrayBuffer && a.byteOffset === 0 && a.byteLength === a.buffer.byteLength ? a.buffer : undefined;

/** The handler of a worker's messages, holding its model after Init. */
export const handler = (options: ServeOptions): ((req: Request) => Reply) => {
  let held: WorkerModel | undefined;
  return (req) => {
    if (req._tag === "Init") {
      const fail = (error: Extract<Response, { _tag: "InitFailed" }>["error"]): Reply => ({ message: { _tag: "InitFailed", worker: req.worker, error }, transfer: [] });
      const model = fromModelData(req.model);
      if (E.isLeft(model)) return fail({ _tag: "InvalidModel", error: model.left });
      const composite = toComposite(req.composite, options.strategies);
      if (E.isLeft(composite)) return fail(composite.left);
      const fits = DT.assign(composite.right, model.right);
      if (E.isLeft(fits)) return fail({ _tag: "InvalidComposite", error: fits.left });
      const m = model.right;
      held = { model: m, composite: composite.right, settings: req.settings, dtype: L.modelDType(m) ?? "float64", d: m.inputShape.reduce((a, b) => a * b, 1), options: req.options };
      return { message: { _tag: "Ready", worker: req.worker }, transfer: [] };
    }
    if (held === undefined) throw new Error("@dtd/parallel: a batch before Init (the pool always initialises a worker first)");
    const w = held;
    const r = explainBatch(w, { start: req.start, count: req.count, values: req.values, samples: req.samples, target: req.target }, options.decode);
    const transfer: ArrayBuffer[] = [];
    let payloads: unknown[] | undefined;
    if (options.encode !== undefined || options.encodeBatch !== undefined) {
      const results = r.items.map((item, k): Encodable => {
        const index = req.start + k;
        const result: Outcome<never>["result"] =
          item._tag === "Failed" ? E.left(item.error) : E.right<never, Heatmap>({ f: item.f, R: r.R.subarray(k * w.d, (k + 1) * w.d), biasRelevance: item.biasRelevance, consistency: item.consistency, warnings: item.warnings });
        const s = req.samples?.[k];
        const name = s !== undefined && !(s instanceof Float64Array || s instanceof Float32Array) ? s.name : undefined;
        return { outcome: { index, result, payload: undefined }, x: r.inputs[k], name };
      });
      if (options.encodeBatch !== undefined) {
        const enc = options.encodeBatch(results, { model: w.model, options: w.options });
        if (enc.payloads.length !== results.length) throw new Error(`encodeBatch: expected ${results.length} payloads (one per input), found ${enc.payloads.length}`);
        payloads = [...enc.payloads];
        transfer.push(...(enc.transfer ?? []));
      } else {
        payloads = results.map(({ outcome, x, name }) => {
          const enc = options.encode!(outcome, x, { model: w.model, name, options: w.options });
          if (enc === undefined) return undefined;
          transfer.push(...(enc.transfer ?? []));
          return enc.payload;
        });
      }
    }
    const own = ownBuffer(r.R);
    // A heatmap buffer that is shared or a view of a larger one is copied; the usual one is moved.
    const R = own === undefined ? r.R.slice() : r.R;
    transfer.push(R.buffer as ArrayBuffer);
    // A buffer listed twice (payloads sharing one) is moved once: postMessage refuses duplicates.
    return { message: { _tag: "Done", id: req.id, R, items: r.items, payloads }, transfer: [...new Set(transfer)] };
  };
};

const reasonOf = (u: unknown): string => (u instanceof Error ? u.message : String(u));

/**
 * Serves the pool on a platform's endpoint. A batch that throws (a custom hook's exception, a bug) fails its own
 * inputs with the reason and the worker lives on; only a worker that dies (out of memory, `process.exit`) needs
 * replacing.
 */
export const serveOn = (endpoint: Endpoint, options: ServeOptions = {}): void => {
  const handle = handler(options);
  endpoint.listen((req) => {
    let reply: Reply;
    try {
      reply = handle(req);
    } catch (u) {
      const reason = reasonOf(u);
      reply = { message: req._tag === "Init" ? { _tag: "InitFailed", worker: req.worker, error: { _tag: "WorkerFailed", worker: req.worker, reason } } : { _tag: "Threw", id: req.id, reason }, transfer: [] };
    }
    endpoint.post(reply.message, reply.transfer);
  });
};
