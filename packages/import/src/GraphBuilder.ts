/**
 * Building an {@link IrModel} node by node: shape inference and unique names for every node, and the facts
 * the importers need about each value — whether it is still the raw input (constant scaling there becomes
 * preprocessing), the output of a ReLU-type unit (so ≥ 0: a minimum with a constant then clips it), the
 * permutation of a vector flattened from NHWC, and a final activation (which nothing may consume).
 * @module
 */
import { type ImportError, type SourceFormat, unsupportedNode } from "./ImportError.ts";
import type { IrModel, IrNode, IrOp, IrOps, OutputActivation, Preprocessing } from "./Ir.ts";
import { inferShape } from "./irShape.ts";
import { fail } from "./internal/fail.ts";
import { f32, isIdentity } from "./layout.ts";

/** A value flowing between nodes. */
export interface Value {
  /** The IR node producing it, or the model input's name. */
  readonly ref: string;
  /** Per-sample shape in dtd's layout. */
  readonly shape: readonly number[];
  /** For a vector flattened from an NHWC tensor: position d holds the original model's feature perm[d]. */
  readonly perm?: Int32Array;
  /** The output of a ReLU or clipped ReLU, so ≥ 0 (min(x, c) of it is a clipped ReLU). */
  readonly rectified?: boolean;
  /** The model input itself, or it with only constant scaling applied (which is then preprocessing). */
  readonly isInput: boolean;
  /** For the input: how many constant scalings (preprocessing steps) it went through. */
  readonly inputStage?: number;
  /** A vector [C] that the original model holds as a 1×1×C (or C×1×1) tensor: global pooling with kept dims. */
  readonly squeezed?: boolean;
  /** The value went through this final activation: the model's output, which no node may consume. */
  readonly activated?: OutputActivation;
}

/** The value before its final activation (elementwise: reordering commutes with it). */
const withoutActivation = (v: Value): Value => {
  const { activated: _, ...rest } = v;
  return rest;
};

/** The name, the original op and the inputs of a node to add. */
export interface NodeSpec {
  readonly name: string;
  readonly source: string;
  readonly inputs: readonly Value[];
}

/** Accumulates the nodes of one model. */
export class GraphBuilder {
  readonly format: SourceFormat;
  private readonly nodes: IrNode[] = [];
  private readonly names = new Set<string>();
  private readonly notes: string[] = [];
  private preprocessing: Preprocessing | undefined;
  private stages = 0;
  private readonly consumedStages = new Set<number>();
  private readonly input: IrModel["input"];

  constructor(format: SourceFormat, input: IrModel["input"]) {
    this.format = format;
    this.input = input;
    this.names.add(input.name);
  }

  /** The model input. */
  inputValue(): Value {
    return { ref: this.input.name, shape: this.input.shape, isInput: true, inputStage: 0 };
  }

  /** Refuses node `name` (op `op`) with `reason`. */
  refuse(name: string, op: string, reason: string): never {
    return fail(unsupportedNode(this.format, name, op, reason));
  }

  /** Refuses with any import error. */
  fail(error: ImportError): never {
    return fail(error);
  }

  /** A remark for the user about what the import changed (kept in the model's notes). */
  note(text: string): void {
    if (!this.notes.includes(text)) this.notes.push(text);
  }

  private uniqueName(name: string): string {
    if (!this.names.has(name)) return name;
    for (let k = 2; ; k++) if (!this.names.has(`${name}_${k}`)) return `${name}_${k}`;
  }

  /** Adds a node of op `op`, inferring its shape; refuses it (naming it) when its inputs do not fit. */
  add<K extends IrOp>(op: K, spec: NodeSpec, attrs: IrOps[K]): Value {
    for (const v of spec.inputs) {
      if (v.isInput) this.consumeInput(spec, v);
      if (v.activated !== undefined) {
        this.refuse(spec.name, spec.source, `its input went through a ${v.activated}, which dtd supports only as the model's last op (dropped: dtd explains the logits); inside a network it is a smooth nonlinearity or, multiplied with an activation, a gate (SiLU/Swish, squeeze-and-excitation) — no deep Taylor rule of dtd's applies`);
      }
    }
    const shape = inferShape(op, attrs, spec.inputs.map((v) => v.shape));
    if ("error" in shape) return this.refuse(spec.name, spec.source, shape.error);
    const name = this.uniqueName(spec.name);
    this.names.add(name);
    this.nodes.push({ op, name, inputs: spec.inputs.map((v) => v.ref), shape: shape.ok, source: spec.source, ...attrs } as IrNode);
    return { ref: name, shape: shape.ok, isInput: false, ...(op === "relu" || op === "clippedRelu" ? { rectified: true } : {}) };
  }

  private consumeInput(spec: NodeSpec, v: Value): void {
    const stage = v.inputStage ?? 0;
    if (stage !== this.stages) this.refuse(spec.name, spec.source, "it takes the model input before its constant scaling while other nodes take it after (the scaling cannot be preprocessing)");
    this.consumedStages.add(stage);
  }

  /**
   * Composes constant input scaling x' = x·scale + offset (arrays of one value per channel, or of one value
   * for all) into the preprocessing, and returns the scaled input.
   */
  scaleInput(spec: NodeSpec, x: Value, scale: readonly number[], offset: readonly number[]): Value {
    if ((x.inputStage ?? 0) !== this.stages || this.consumedStages.size > 0) {
      this.refuse(spec.name, spec.source, "constant scaling of the model input that other nodes also take unscaled (it cannot be preprocessing)");
    }
    this.addPreprocessing(scale, offset);
    this.stages++;
    return { ...x, inputStage: this.stages };
  }

  private addPreprocessing(scale: readonly number[], offset: readonly number[]): void {
    const p = this.preprocessing ?? { scale: [1], offset: [0] };
    const n = Math.max(p.scale.length, scale.length);
    const pick = (xs: readonly number[], i: number): number => xs[xs.length === 1 ? 0 : i]!;
    // (x·s1 + o1)·s2 + o2 = x·(s1·s2) + (o1·s2 + o2)
    this.preprocessing = {
      scale: Array.from({ length: n }, (_, i) => pick(p.scale, i) * pick(scale, i)),
      offset: Array.from({ length: n }, (_, i) => pick(p.offset, i) * pick(scale, i) + pick(offset, i)),
    };
  }

  /**
   * An output flattened from NHWC (a detector's per-anchor scores, BlazeFace's [N, anchors, 1]) holds its values
   * in dtd's CHW order: a last dense layer with the permutation as its weights (W[d][perm[d]] = 1, no bias; exact:
   * each output is one input times 1) gives them back in the original's order, so output k is the original's k.
   */
  private originalOrder(v: Value): Value {
    const perm = v.perm!;
    const n = perm.length;
    if (n > 4096) fail({ _tag: "UnsupportedModel", format: this.format, reason: `its output (${v.ref}) is a flattened NHWC tensor of ${n} values, whose order dtd's CHW flatten changes (reordered by a dense layer up to 4096 values)` });
    const W = new Float32Array(n * n);
    for (let d = 0; d < n; d++) W[d * n + perm[d]!] = 1;
    this.note("the output, flattened from NHWC, is put back in the original's order by a last dense layer whose weights are a permutation (the same function)");
    const out = this.add("dense", { name: `${v.ref}/original_order`, source: "Reshape", inputs: [withoutActivation(v)] }, { W: f32([n, n], W), b: f32([n], new Float32Array(n)) });
    return v.activated === undefined ? out : { ...out, activated: v.activated };
  }

  /** The model, with `output` as its output. */
  finish(given: Value): IrModel {
    const output = isIdentity(given.perm) ? given : this.originalOrder(given);
    if (output.isInput) fail({ _tag: "UnsupportedModel", format: this.format, reason: "its output is its input (no layer to explain)" });
    const activation = output.activated ?? "none";
    if (activation !== "none") this.note(`the final ${activation} is dropped: dtd explains the logit of the chosen class`);
    return {
      format: this.format,
      input: this.input,
      nodes: this.nodes,
      output: output.ref,
      outputActivation: activation,
      ...(this.preprocessing === undefined ? {} : { preprocessing: this.preprocessing }),
      notes: this.notes,
    };
  }
}
