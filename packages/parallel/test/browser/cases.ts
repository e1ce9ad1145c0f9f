/**
 * What the browser test (test/browser.test.ts) asks its page (page.ts) and what the page answers. The model and
 * the inputs are made in Node and sent to the page as data (bit for bit: the seeded fixtures draw normal weights
 * with Math.log and Math.cos, which Chromium's engine and Node's may round differently).
 */
import * as L from "@dtd/layers";
import type { ModelData } from "@dtd/parallel";
import { convNet, denseNet, inputs } from "../fixtures/nets.ts";

/** What the test asks for. */
export interface RunRequest {
  readonly model: ModelData;
  readonly xs: readonly Float64Array[];
  readonly batchSize: number;
  readonly workers: number;
}

/** Which fixture network, in which dtype. */
export interface NetChoice {
  readonly net: "dense" | "conv";
  readonly dtype: "float32" | "float64";
}

/** One outcome as plain data. */
export type Plain = { readonly index: number; readonly f: number; readonly R: number[] } | { readonly index: number; readonly error: string; readonly message: string };

export interface RunReply {
  readonly platform: string;
  readonly workers: number;
  readonly isolated: boolean;
  /** Whether the pool shares memory with its workers (weights and batches in SharedArrayBuffers). */
  readonly shared: boolean;
  readonly cores: number;
  readonly pool: readonly Plain[];
  readonly thread: readonly Plain[];
}

export interface CancelReply {
  readonly seen: readonly number[];
  readonly again: string;
}

export const modelOf = (r: NetChoice): L.Model => (r.net === "dense" ? denseNet(r.dtype) : convNet(r.dtype));

/** The fixtures' inputs, with (when asked) a NaN at input 3, a short input 7 and a negative value at input 10 (z⁺ needs x ≥ 0). */
export const poisoned = (model: L.Model, n: number, poison: boolean): Float64Array[] => {
  const xs = inputs(model, n);
  if (!poison) return xs;
  xs[3] = Float64Array.from(xs[3]!, (v, i) => (i === 0 ? NaN : v));
  xs[7] = new Float64Array(5);
  xs[10] = Float64Array.from(xs[10]!, (v, i) => (i === 2 ? -0.25 : v));
  return xs;
};

