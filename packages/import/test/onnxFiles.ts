/**
 * ONNX helpers for tests: the fixture files, onnxruntime-web as the oracle (with the logits before a final
 * Sigmoid/Softmax exposed as an extra output), and small models encoded in-process with onnx-proto.
 */
import { readFileSync } from "node:fs";
import onnxProto from "onnx-proto";
import type { onnx } from "onnx-proto";
import * as ort from "onnxruntime-web";

const { onnx: O } = onnxProto;
ort.env.wasm.numThreads = 1;
ort.env.logLevel = "error";

export const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`./fixtures/onnx/${name}`, import.meta.url)));

/** The model with the input of its final Sigmoid/Softmax (the logits) as an extra output named "logits". */
const withLogits = (bytes: Uint8Array): { bytes: Uint8Array; logits: string } => {
  const m = O.ModelProto.decode(bytes);
  const g = m.graph!;
  const out = g.output![0]!.name!;
  const last = g.node!.find((n) => (n.output ?? []).includes(out))!;
  const logits = ["Sigmoid", "Softmax", "LogSoftmax"].includes(last.opType ?? "") ? last.input![0]! : out;
  if (logits !== out) g.output!.push(O.ValueInfoProto.create({ name: logits, type: { tensorType: { elemType: 1 } } }));
  return { bytes: O.ModelProto.encode(m).finish(), logits };
};

/** A runner of the model on one NCHW sample, returning its logits. */
export const ortLogits = async (bytes: Uint8Array, inputShape: readonly number[]): Promise<(x: Float32Array) => Promise<Float32Array>> => {
  const { bytes: b, logits } = withLogits(bytes);
  const session = await ort.InferenceSession.create(b, { logSeverityLevel: 3 });
  const inputName = session.inputNames[0]!;
  return async (x) => {
    const r = await session.run({ [inputName]: new ort.Tensor("float32", x, [1, ...inputShape]) }, [logits]);
    return r[logits]!.data as Float32Array;
  };
};

const dims = (shape: readonly number[]): number[] => [...shape];

/** A float tensor initializer. */
export const initializer = (name: string, shape: readonly number[], values: ArrayLike<number>): onnx.ITensorProto => ({
  name,
  dims: dims(shape),
  dataType: 1,
  floatData: Array.from(values),
});

/** An int64 tensor initializer. */
export const intInitializer = (name: string, values: readonly number[]): onnx.ITensorProto => ({ name, dims: [values.length], dataType: 7, int64Data: [...values] });

/**
 * A model with one input `x` of `shape` (batch first; a negative size is unknown, named by `dimParams` where
 * given), the given nodes and initializers (also listed as graph inputs with `initializersAsInputs`, as old
 * exporters wrote), output `y`.
 */
export const encodeModel = (p: {
  readonly shape: readonly number[];
  readonly nodes: readonly onnx.INodeProto[];
  readonly initializers?: readonly onnx.ITensorProto[];
  readonly outputs?: readonly string[];
  readonly opset?: number;
  readonly dimParams?: readonly string[];
  readonly initializersAsInputs?: boolean;
}): Uint8Array =>
  O.ModelProto.encode({
    irVersion: 7,
    opsetImport: [{ domain: "", version: p.opset ?? 13 }],
    graph: {
      name: "test",
      node: [...p.nodes],
      initializer: [...(p.initializers ?? [])],
      input: [
        { name: "x", type: { tensorType: { elemType: 1, shape: { dim: p.shape.map((d, i) => (d >= 0 ? { dimValue: d } : p.dimParams?.[i] ? { dimParam: p.dimParams[i] } : {})) } } } },
        ...(p.initializersAsInputs === true ? (p.initializers ?? []).map((t) => ({ name: t.name ?? "", type: { tensorType: { elemType: t.dataType ?? 1, shape: { dim: (t.dims ?? []).map((d) => ({ dimValue: d })) } } } })) : []),
      ],
      output: (p.outputs ?? ["y"]).map((name) => ({ name, type: { tensorType: { elemType: 1 } } })),
    },
  }).finish();

/** A node. */
export const node = (opType: string, input: readonly string[], output: readonly string[], attribute: readonly onnx.IAttributeProto[] = [], name = ""): onnx.INodeProto => ({
  opType,
  input: [...input],
  output: [...output],
  attribute: [...attribute],
  name,
});

export const ints = (name: string, values: readonly number[]): onnx.IAttributeProto => ({ name, type: 7, ints: [...values] });
export const int = (name: string, value: number): onnx.IAttributeProto => ({ name, type: 2, i: value });
export const float = (name: string, value: number): onnx.IAttributeProto => ({ name, type: 1, f: value });
