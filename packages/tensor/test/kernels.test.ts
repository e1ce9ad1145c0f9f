import { afterEach, describe, expect, test, vi } from "vitest";

/** The slice of the WebAssembly API the kernels use (the tensor package is typed without DOM or Node globals). */
const wasm = (globalThis as unknown as { WebAssembly: { validate: unknown; Memory: unknown; Instance: unknown } }).WebAssembly;

describe("kernels", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.resetModules();
  });

  test("Node 20 has WebAssembly SIMD: without native kernels the wasm kernels run; with them, the native ones", async () => {
    vi.resetModules();
    const T = await import("@dtd/tensor");
    const U = await import("@dtd/tensor/unsafe");
    expect(T.kernels()).toBe("wasm-simd");
    U.installNativeKernels({ name: "stand-in", gemm: () => undefined });
    expect(T.kernels()).toBe("native");
    U.installNativeKernels(undefined);
    expect(T.kernels()).toBe("wasm-simd");
  });

  test("where compiling WebAssembly is refused (a CSP without 'wasm-unsafe-eval'), the JavaScript kernels run, with the same float64 bits", async () => {
    const refused = {
      validate: wasm.validate,
      Memory: wasm.Memory,
      Instance: wasm.Instance,
      Module: function () {
        throw new Error("Refused to compile or instantiate WebAssembly module because 'wasm-unsafe-eval' is not an allowed source of script");
      },
    };
    vi.resetModules();
    const W = await import("@dtd/tensor");
    const a = W.Random.normalTensor(W.Random.make(1), [9, 13]);
    const b = W.Random.normalTensor(W.Random.make(2), [13, 7]);
    const viaWasm = W.matmul(a, b);
    vi.resetModules();
    vi.stubGlobal("WebAssembly", refused);
    const js = await import("@dtd/tensor");
    expect(js.kernels()).toBe("js");
    const viaJs = js.matmul(js.of(a.data, [9, 13]), js.of(b.data, [13, 7]));
    expect(Array.from(viaJs.data)).toEqual(Array.from(viaWasm.data));
  });
});
