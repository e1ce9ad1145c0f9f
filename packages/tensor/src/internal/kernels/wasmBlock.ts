/**
 * The WebAssembly SIMD block kernel of {@link gemm}: C_block = A_panel · B_panel over packed micro-panels, 4×4
 * tiles in f64x2 registers (source: wasm/gemmBlock.c; bytes: wasm/gemmBlockWasm.ts, rebuilt by wasm/build.sh).
 *
 * gemm packs A and B straight into this module's memory (the same copy it makes for the JavaScript kernel, so the
 * wasm path costs no extra copy of the operands), calls `gemm_block`, and adds the block of C back into the
 * caller's array. The memory has a fixed size (no growth, so the views below never detach) and is created on the
 * first call, with the module compiled synchronously: it is ~1 KB, under the 4 KB that browsers allow on the main
 * thread. Where WebAssembly or its SIMD128 proposal is missing (`validate` fails), or a Content-Security-Policy
 * forbids compiling it, {@link wasmBlock} is undefined and gemm runs the JavaScript micro-kernel.
 * @module
 */
import { wasmBase64 } from "./wasm/gemmBlockWasm.ts";

/** The packed panels and the C block in the module's memory, and the kernel that multiplies them. */
export interface WasmBlock {
  /** A packed in 4-row micro-panels: MC·KC doubles. */
  readonly ap: Float64Array;
  /** B packed in 4-column micro-panels: KC·NC doubles. */
  readonly bp: Float64Array;
  /** The C block, roundUp(mb, 4) rows of stride roundUp(nb, 4). */
  readonly c: Float64Array;
  /** c ← ap · bp for an mb×kb block of A and a kb×nb block of B (both packed from offset 0). */
  readonly block: (mb: number, nb: number, kb: number) => void;
}

/** The slice of the WebAssembly JavaScript API used here (the tensor package compiles without DOM or Node types). */
interface WasmApi {
  readonly validate: (bytes: Uint8Array) => boolean;
  readonly Memory: new (descriptor: { initial: number; maximum: number }) => { readonly buffer: ArrayBuffer };
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
}

type BlockExport = (mb: number, nb: number, kb: number, ap: number, bp: number, c: number) => void;

const PAGE = 65536;
/** The module's own data and stack live below this byte offset (wasm-ld's default layout: 64 KiB of stack + data). */
const BASE = 2 * PAGE;

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
    acc = (acc << 6) | d;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out;
};

const instantiate = (mc: number, kc: number, nc: number): WasmBlock | undefined => {
  const wa = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (wa === undefined) return undefined;
  const bytes = decodeBase64(wasmBase64);
  if (!wa.validate(bytes)) return undefined;
  const apBytes = mc * kc * 8;
  const bpBytes = kc * nc * 8;
  const cBytes = mc * nc * 8;
  const pages = Math.ceil((BASE + apBytes + bpBytes + cBytes) / PAGE);
  const memory = new wa.Memory({ initial: pages, maximum: pages });
  let instance: { readonly exports: Record<string, unknown> };
  try {
    instance = new wa.Instance(new wa.Module(bytes), { env: { memory } });
  } catch {
    // A page whose Content-Security-Policy forbids compiling WebAssembly ('wasm-unsafe-eval'): use JavaScript.
    return undefined;
  }
  const kernel = instance.exports["gemm_block"];
  if (typeof kernel !== "function") throw new Error("wasmBlock: expected the module to export a function gemm_block, found none");
  const run = kernel as BlockExport;
  const apAt = BASE;
  const bpAt = apAt + apBytes;
  const cAt = bpAt + bpBytes;
  return {
    ap: new Float64Array(memory.buffer, apAt, mc * kc),
    bp: new Float64Array(memory.buffer, bpAt, kc * nc),
    c: new Float64Array(memory.buffer, cAt, mc * nc),
    block: (mb, nb, kb) => run(mb, nb, kb, apAt, bpAt, cAt),
  };
};

let state: WasmBlock | undefined | null = null;

/**
 * The wasm block kernel for blocks of at most mc×kc (A) and kc×nc (B), created on the first call; undefined when
 * WebAssembly SIMD is unavailable. The sizes must be the same on every call.
 */
export const wasmBlock = (mc: number, kc: number, nc: number): WasmBlock | undefined => {
  if (state === null) state = instantiate(mc, kc, nc);
  return state;
};
