/**
 * The io-ts codec of a tensor field: nested arrays of numbers (row-major, `weight[i][j] = w_ij`) or a base64
 * object `{ "shape": [...], "dtype": "float32" | "float64", "base64": "<little-endian bytes>" }`, decoded into
 * a tensor of the model's dtype. Shape problems are reported on the tensor, value problems (a string, ±Infinity,
 * a value beyond the float32 range) on the value itself.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as t from "io-ts";
import * as T from "@dtd/tensor";
import { unsafeMake } from "@dtd/tensor/unsafe";
import * as B64 from "./base64.ts";
import { dtype as dtypeCodec, shapeOfRank, text } from "./fields.ts";
import { record, refine } from "./record.ts";
import { at, describe, fail, isObject } from "./report.ts";

/** What a tensor field holds: its rank and its axes in words, e.g. `{ rank: 2, axes: "(in × out)" }`. */
export interface TensorRole {
  readonly rank: number;
  readonly axes: string;
}

const FLOAT32_MAX = 3.4028234663852886e38;

/** What a nested tensor of this role looks like, in words. */
export const nestedName = (role: TensorRole): string =>
  role.rank === 1 ? `an array of numbers ${role.axes}` : `a rectangular nested array of numbers ${role.axes}`;

const isTensorOf =
  (role: TensorRole, dtype: T.DType) =>
  (u: unknown): u is T.Tensor =>
    isObject(u) && u["dtype"] === dtype && Array.isArray(u["shape"]) && u["shape"].length === role.rank && (u["data"] instanceof Float32Array || u["data"] instanceof Float64Array);

/** Why `x` cannot be stored in `dtype`, or undefined when it can. */
const valueProblem = (x: number, dtype: T.DType): { expected: string; found: string } | undefined => {
  if (!Number.isFinite(x)) {
    return { expected: "a finite number", found: `${x} (JSON numbers beyond ±1.8e308, such as 1e999, are read as Infinity)` };
  }
  if (dtype === "float32" && !Number.isFinite(Math.fround(x))) {
    return { expected: `a number within the float32 range (|x| ≤ ${FLOAT32_MAX}), the model's dtype`, found: String(x) };
  }
  return undefined;
};

/** Nested arrays → a tensor: the shape comes from the first element at each depth, then every row is checked. */
const decodeNested = (role: TensorRole, dtype: T.DType, u: readonly unknown[], c: t.Context, self: t.Decoder<unknown, unknown>): t.Validation<T.Tensor> => {
  const name = nestedName(role);
  const key = c[c.length - 1]?.key ?? "";
  const where = (idx: readonly number[]): string => `${key}${idx.map((i) => `[${i}]`).join("")}`;
  const shape: number[] = [];
  let first: unknown = u;
  while (Array.isArray(first) && shape.length <= role.rank) {
    shape.push(first.length);
    if (first.length === 0) break;
    first = first[0];
  }
  const zeros = (n: number): number[] => new Array<number>(n).fill(0);
  const empty = shape.slice(0, role.rank).indexOf(0);
  if (empty >= 0) return fail(u, c, name, empty === 0 ? "an empty array" : `an empty array (at ${where(zeros(empty))})`);
  if (shape.length < role.rank && typeof first === "number") {
    return fail(u, c, name, `nested arrays of shape ${T.showShape(shape)} (rank ${shape.length} where rank ${role.rank} was expected)`);
  }
  if (shape.length > role.rank) {
    return fail(u, c, name, `nested arrays deeper than rank ${role.rank} (${where(zeros(role.rank))} is an array, not a number)`);
  }
  const size = shape.slice(0, role.rank).reduce((a, b) => a * b, 1);
  const data = T.alloc(dtype, size);
  let k = 0;
  const idx: number[] = [];
  /** The context of the value at `idx`, built only when it is reported. */
  const contextAt = (): t.Context => {
    let ctx = c;
    let v: unknown = u;
    for (const i of idx) {
      v = (v as readonly unknown[])[i];
      ctx = at(ctx, i, self, v);
    }
    return ctx;
  };
  // Depth ≤ rank ≤ 4: the recursion is shallow whatever the input.
  const walk = (v: unknown): t.Validation<null> => {
    const depth = idx.length;
    if (depth === role.rank) {
      if (typeof v !== "number") return fail(v, contextAt(), "a finite number");
      const p = valueProblem(v, dtype);
      if (p) return fail(v, contextAt(), p.expected, p.found);
      data[k++] = v;
      return t.success(null);
    }
    const want = shape[depth];
    const located = (found: string): string => (depth === 0 ? found : `${found} (at ${where(idx)})`);
    if (!Array.isArray(v)) return fail(u, c, name, located(`${describe(v)} where ${want === undefined ? "an array" : `a row of length ${want}`} was expected`));
    if (v.length !== want) return fail(u, c, name, located(`a row of length ${v.length} where ${want} was expected`));
    for (let i = 0; i < v.length; i++) {
      idx.push(i);
      const r = walk(v[i]);
      if (E.isLeft(r)) return r;
      idx.pop();
    }
    return t.success(null);
  };
  const r = walk(u);
  return E.isLeft(r) ? r : t.success(unsafeMake(shape.slice(0, role.rank), data));
};

/** The base64 object → a tensor: bytes = 4 or 8 × size, finite values, representable in the model's dtype. */
const base64Tensor = (role: TensorRole, dtype: T.DType, reader: B64.Base64Reader | undefined): t.Type<T.Tensor, unknown, unknown> => {
  const fields = record("a base64 tensor object", { shape: shapeOfRank(role.rank, role.axes), dtype: dtypeCodec, base64: text("a base64 string") }, {});
  return refine(fields, "a base64 tensor object", isTensorOf(role, dtype), (r, _u, c) => {
    const cb = at(c, "base64", fields, r.base64);
    const bytes = B64.decodeWith(r.base64, reader);
    if (E.isLeft(bytes)) return fail(r.base64, cb, bytes.left.expected, bytes.left.found);
    const size = r.shape.reduce((a, b) => a * b, 1);
    const want = size * B64.bytesPer(r.dtype);
    if (bytes.right.length !== want) {
      return fail(r.base64, cb, `${want} bytes (${size} little-endian ${r.dtype} values for shape ${T.showShape(r.shape)})`, `${bytes.right.length} bytes`);
    }
    const values = B64.unpackFloats(bytes.right, r.dtype);
    for (let i = 0; i < values.length; i++) {
      const x = values[i]!;
      if (!Number.isFinite(x)) return fail(r.base64, cb, "finite values", `${x} at flat index ${i}`);
      if (dtype === "float32" && !Number.isFinite(Math.fround(x))) {
        return fail(r.base64, cb, `values within the float32 range (|x| ≤ ${FLOAT32_MAX}), the model's dtype`, `${x} at flat index ${i}`);
      }
    }
    const data = dtype === "float64" ? values : Float32Array.from(values);
    return t.success(unsafeMake([...r.shape], data));
  });
};

/** A tensor field of a role, decoded into `dtype` (base64 text through `reader` when given: `B64.Base64Reader`). */
export const tensor = (role: TensorRole, dtype: T.DType, reader?: B64.Base64Reader): t.Type<T.Tensor, unknown, unknown> => {
  const name = `${nestedName(role)} or a base64 tensor object`;
  const b64 = base64Tensor(role, dtype, reader);
  const codec: t.Type<T.Tensor, unknown, unknown> = new t.Type<T.Tensor, unknown, unknown>(
    name,
    isTensorOf(role, dtype),
    (u, c) => (Array.isArray(u) ? decodeNested(role, dtype, u, c, codec) : isObject(u) ? b64.validate(u, c) : fail(u, c, name)),
    (a) => a,
  );
  return codec;
};
