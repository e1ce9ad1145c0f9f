/**
 * NumPy's `.npy` format (version 1.0–3.0): a magic string, a header (a Python dict literal: `descr`,
 * `fortran_order`, `shape`), then the array's bytes. Read here: little-endian float32 (`<f4`) and float64 (`<f8`)
 * arrays in C order, the shape of a data set ([N, ...] — one sample per row); anything else is refused, saying
 * what was found. The data is read into a SharedArrayBuffer when asked, so that worker threads read the samples
 * where they lie.
 * @module
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import * as E from "fp-ts/lib/Either.js";
import type * as T from "@dtd/tensor";

/** An array read from a .npy file. */
export interface Npy {
  readonly dtype: T.DType;
  readonly shape: readonly number[];
  readonly data: Float64Array | Float32Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const DESCR: Readonly<Record<string, T.DType>> = { "<f4": "float32", "<f8": "float64" };

/** The header of a .npy file: dtype, shape, and where the data starts. */
export const parseHeader = (bytes: Uint8Array): E.Either<string, { readonly dtype: T.DType; readonly shape: number[]; readonly offset: number }> => {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) return E.left("expected a .npy file (it starts with \\x93NUMPY), found other bytes");
  const major = bytes[6]!;
  if (major < 1 || major > 3) return E.left(`expected .npy format version 1, 2 or 3, found ${major}.${bytes[7]}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthBytes) return E.left("the .npy header is cut short");
  const length = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const offset = 8 + lengthBytes + length;
  if (bytes.length < offset) return E.left(`the .npy header declares ${length} bytes, but the file is cut short`);
  const header = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(bytes.subarray(8 + lengthBytes, offset));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) return E.left(`expected a .npy header with 'descr', 'fortran_order' and 'shape', found ${JSON.stringify(header.trim())}`);
  const dtype = DESCR[descr];
  if (dtype === undefined) return E.left(`expected little-endian float32 or float64 data ('<f4' or '<f8'), found '${descr}'`);
  if (fortran === "True") return E.left("expected an array in C order (fortran_order False), found Fortran order");
  const parts = shapeText.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (parts.some((p) => !/^\d+$/.test(p))) return E.left(`expected a shape of integers, found (${shapeText})`);
  return E.right({ dtype, shape: parts.map(Number), offset });
};

/**
 * Reads a .npy file whole: its data in a SharedArrayBuffer when `shared` (threads read it in place), else in an
 * ArrayBuffer. The message of a refusal names the file.
 */
export const readNpy = (path: string, opts: { readonly shared: boolean }): E.Either<string, Npy> => {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    const size = fstatSync(fd).size;
    const head = new Uint8Array(Math.min(size, 65536 + 12));
    readSync(fd, head, 0, head.length, 0);
    const h = parseHeader(head);
    if (E.isLeft(h)) return E.left(`${path}: ${h.left}`);
    const { dtype, shape, offset } = h.right;
    const count = shape.reduce((a, b) => a * b, 1);
    const width = dtype === "float32" ? 4 : 8;
    if (size - offset !== count * width) return E.left(`${path}: the header declares shape (${shape.join(", ")}) of ${dtype} (${count * width} bytes), but ${size - offset} bytes follow it`);
    const buffer = opts.shared ? new SharedArrayBuffer(count * width) : new ArrayBuffer(count * width);
    const bytes = new Uint8Array(buffer);
    for (let at = 0; at < bytes.length; ) {
      const n = readSync(fd, bytes, at, Math.min(bytes.length - at, 1 << 26), offset + at);
      if (n === 0) return E.left(`${path}: the file ended early`);
      at += n;
    }
    return E.right({ dtype, shape, data: dtype === "float32" ? new Float32Array(buffer) : new Float64Array(buffer) });
  } catch (u) {
    const code = (u as { readonly code?: unknown }).code;
    return E.left(`cannot read ${path}: ${code === "ENOENT" ? "no such file" : u instanceof Error ? u.message : String(u)}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
};

/** A .npy file (version 1.0, C order, little-endian) of `data` with `shape`. */
export const encodeNpy = (data: Float64Array | Float32Array, shape: readonly number[]): Uint8Array => {
  const descr = data instanceof Float32Array ? "<f4" : "<f8";
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(", ")}${shape.length === 1 ? "," : ""}), }`;
  // The header (with its newline) pads the preamble to a multiple of 64 bytes, so the data is aligned.
  const total = Math.ceil((10 + dict.length + 1) / 64) * 64;
  const header = `${dict}${" ".repeat(total - 10 - dict.length - 1)}\n`;
  const out = new Uint8Array(total + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), total);
  return out;
};
