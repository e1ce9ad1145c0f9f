/**
 * The messages between the page and its Web Worker. The worker holds the model and does all the numerical
 * work (loading, forward pass, explanation, root checks), so the page never freezes; it answers each request
 * in order. Everything here survives structured cloning (typed arrays, Maps, plain objects).
 * @module
 */
import type { Kernels } from "@dtd/tensor";
import type { ExplainChoice, Outcome } from "./explainSample.ts";
import type { ImageLayout } from "./layout.ts";
import type { ModelFiles, ModelFormat } from "./loaders.ts";
import type { MethodSpec } from "./methods.ts";

/** What the page knows of the loaded model. */
export interface ModelInfo {
  readonly name: string;
  readonly format: ModelFormat;
  readonly inputShape: readonly number[];
  /** The number of outputs (1 for a score model, K for K classes). */
  readonly outputs: number;
  /** The affine layers (the ones with a rule): node index, name and kind. */
  readonly affine: readonly { readonly index: number; readonly name: string; readonly kind: string }[];
  /** How the input is drawn, or why it cannot be. */
  readonly layout: { readonly _tag: "Image"; readonly image: ImageLayout } | { readonly _tag: "NotAnImage"; readonly reason: string };
  /** What loading changed, for the page. */
  readonly notes: readonly string[];
  /** metadata.name of a dtd model file. */
  readonly title: string | undefined;
}

/** Page → worker. */
export type Request =
  | { readonly _tag: "Load"; readonly files: ModelFiles }
  | { readonly _tag: "Explain"; readonly id: number; readonly x: Float64Array; readonly spec: MethodSpec; readonly choice: ExplainChoice };

/** Worker → page. */
export type Response =
  | { readonly _tag: "Ready"; readonly kernels: Kernels }
  | { readonly _tag: "Loaded"; readonly info: ModelInfo }
  | { readonly _tag: "LoadFailed"; readonly message: string }
  | { readonly _tag: "Explained"; readonly id: number; readonly outcome: Outcome; readonly ms: number }
  | { readonly _tag: "Refused"; readonly id: number; readonly message: string };
