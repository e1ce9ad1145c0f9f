/**
 * `dtd import`: a TF.js model (model.json, layers or graph, with its shards beside it) or an ONNX file → a dtd
 * model file. The final sigmoid/softmax is dropped (dtd explains logits) and, with the input scaling the graph
 * applied first and the original input layout, recorded in the file's `metadata.imported`, so that `dtd
 * explain --image` prepares photos the same way.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as T from "@dtd/tensor";
import { writeModelFile } from "@dtd/model-io/file";
import { formatError } from "@dtd/model-io";
import { ExitCode, failure, usage } from "../CliError.ts";
import { defineCommand } from "../Command.ts";
import { line } from "../Io.ts";
import { infoOf } from "../imported.ts";
import { importFile } from "../importFile.ts";
import { parseShape } from "../shapeFlag.ts";
import { readFileSync } from "node:fs";

const flags = {
  out: { type: "string", value: "FILE", description: "where to write the dtd model file" },
  dtype: { type: "string", value: "DTYPE", choices: ["float32", "float64"], default: "float32", description: "the dtype of the written model (the weights are stored as float32 in the file imported)" },
  "input-shape": { type: "string", value: "SHAPE", description: "the per-sample input shape in the file's layout (e.g. 224,224,3 for TF.js) when the file leaves it unknown" },
  "output-node": { type: "string", value: "NAME", description: "for a model with several outputs (heads): the one to import, by name (an ONNX output, a graph signature key or node, a Keras output layer)" },
} as const;

export const importCommand = defineCommand({
  name: "import",
  summary: "a TF.js (model.json) or ONNX model as a dtd model file",
  usage: "import FILE --out FILE [options]",
  description: `
Reads a TF.js layers model or graph model (model.json, with its weight shards beside it) or an ONNX model and
writes the same function as a dtd model file. Weights are converted once to dtd's layouts (CHW activations,
OIHW kernels); the first dense layer after a flatten of an NHWC tensor is permuted so that nothing changes.
The final sigmoid or softmax is dropped: dtd explains the logit of the chosen class. What cannot be represented
exactly is refused, naming the node, its op and what is missing.
Exit status: 0 written, 1 refused or unreadable, 2 bad command line.`,
  positionals: [{ name: "FILE", description: "the model to import: a model.json or a .onnx file" }],
  flags,
  examples: ["import models/antispoof.json --out antispoof.dtd.json", "import net.onnx --out net.dtd.json --dtype float64", "import models/faceres.json --output-node gender_pred/Sigmoid --out gender.dtd.json"],
  run: async ({ values, positionals }, { io }) => {
    const path = positionals[0];
    if (path === undefined) return E.left(usage("expected the model file to import"));
    if (values.out === undefined) return E.left(usage("--out is required: where to write the dtd model file"));
    const shape = values["input-shape"] === undefined ? E.right(undefined) : parseShape("input-shape", values["input-shape"]);
    if (E.isLeft(shape)) return shape;
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(readFileSync(path));
    } catch (u) {
      return E.left(failure(`cannot read ${path}: ${u instanceof Error ? u.message : String(u)}`));
    }
    const r = importFile(path, bytes, {
      dtype: values.dtype as T.DType,
      ...(shape.right === undefined ? {} : { inputShape: shape.right }),
      ...(values["output-node"] === undefined ? {} : { output: values["output-node"] }),
    });
    if (E.isLeft(r)) return r;
    const { model, ir } = r.right;
    const written = writeModelFile(values.out, model, { tensors: "base64", metadata: { name: path, imported: infoOf(ir, path) } });
    if (E.isLeft(written)) return E.left(failure(formatError(written.left)));
    line(io.stderr, `imported ${path} (${ir.format}): input ${T.showShape(model.inputShape)}, ${ir.nodes.length} nodes (${[...new Set(ir.nodes.map((n) => n.op))].join(", ")})`);
    ir.notes.forEach((n) => line(io.stderr, `note: ${n}`));
    if (ir.preprocessing !== undefined) line(io.stderr, `note: the model scales its input first, x' = x·[${ir.preprocessing.scale.join(", ")}] + [${ir.preprocessing.offset.join(", ")}]; dtd explains x' (kept in metadata.imported)`);
    line(io.stderr, `wrote ${values.out}`);
    return E.right(ExitCode.ok);
  },
});
