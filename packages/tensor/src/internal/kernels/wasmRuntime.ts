/**
 * What the WebAssembly kernels (wasmBlock.ts, wasmThin.ts) share: base64 decoding of the embedded modules and
 * their synchronous instantiation, typed without DOM or Node declarations (the tensor package has neither).
 *
 * Modules are compiled synchronously on first use, so each must stay under the 4 KB that browsers allow
 * `new WebAssembly.Module` on the main thread. Instantiation yields undefined, and callers keep to JavaScript,
 * where WebAssembly or its SIMD128 proposal is missing (`validate` fails) or a Content-Security-Policy forbids
 * compiling WebAssembly.
 * @module
 */

/** A WebAssembly.Memory: its buffer is replaced (and old views detached) when it grows. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  readonly grow: (deltaPages: number) => number;
}

/** The slice of the WebAssembly JavaScript API used by the kernels. */
interface WasmApi {
  readonly validate: (bytes: Uint8Array) => boolean;
  readonly Memory: new (descriptor: { initial: number; maximum: number }) => WasmMemory;
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
}

/** Bytes per WebAssembly page. */
export const PAGE = 65536;

/** The modules' own stack and data live below this byte offset (wasm-ld's default layout: 64 KiB of stack + data). */
export const BASE = 2 * PAGE;

const base64Digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Decodes standard base64 (with `=` padding); no Node Buffer and no DOM atob, so it runs anywhere. */
export const decodeBase64 = (s: string): Uint8Array => {
  const clean = s.replace(/=+$/, "");
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let bits = 0;
  let acc = 0;
  let o = 0;
  for (let i = 0; i < clean.length; i++) {
    const d = base64Digits.indexOf(clean[i]!);
    if (d < 0) throw new Error(`decodeBase64: expected a base64 digit, found ${JSON.stringify(clean[i])} at ${i}`);
    acc = ((acc << 6) | d) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out;
};

/**
 * Instantiates the base64 module with a fresh memory of `initialPages` (growable up to `maximumPages`) imported
 * as env.memory, and returns the named function exports with the memory; undefined where WebAssembly SIMD cannot
 * run (see the module comment). Throws if the module lacks one of `names` (a build error, not a platform one).
 */
export const instantiate = <N extends string>(
  base64: string,
  initialPages: number,
  maximumPages: number,
  names: readonly N[],
): { readonly memory: WasmMemory; readonly exports: Record<N, (...args: number[]) => void> } | undefined => {
  const wa = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  // Validate before allocating the memory: where SIMD is missing, no megabytes are reserved for nothing.
  if (wa === undefined || !wa.validate(decodeBase64(base64))) return undefined;
  const memory = new wa.Memory({ initial: initialPages, maximum: maximumPages });
  const exports = instantiateWith(base64, memory, names);
  return exports === undefined ? undefined : { memory, exports };
};

/**
 * Instantiates the base64 module on an existing memory (one made by {@link instantiate}: modules that work on
 * the same buffers share it), and returns its named function exports; undefined where it cannot run.
 */
export const instantiateWith = <N extends string>(base64: string, memory: WasmMemory, names: readonly N[]): Record<N, (...args: number[]) => void> | undefined => {
  const wa = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (wa === undefined) return undefined;
  const bytes = decodeBase64(base64);
  if (!wa.validate(bytes)) return undefined;
  let exported: Record<string, unknown>;
  try {
    exported = new wa.Instance(new wa.Module(bytes), { env: { memory } }).exports;
  } catch {
    // A page whose Content-Security-Policy forbids compiling WebAssembly ('wasm-unsafe-eval'): use JavaScript.
    return undefined;
  }
  const exports = {} as Record<N, (...args: number[]) => void>;
  for (const name of names) {
    const f = exported[name];
    if (typeof f !== "function") throw new Error(`wasm: expected the module to export a function ${name}, found ${typeof f}`);
    exports[name] = f as (...args: number[]) => void;
  }
  return exports;
};
