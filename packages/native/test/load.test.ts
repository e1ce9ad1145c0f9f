/**
 * The loader's answers: a Left naming what is missing for a file that is absent, not an addon, or not loadable,
 * and for an unknown instruction set or kernel choice; installing into @dtd/tensor and opting out.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as T from "@dtd/tensor";
import { installNativeKernels, nativeKernels } from "@dtd/tensor/unsafe";
import * as E from "fp-ts/lib/Either.js";
import { afterEach, describe, expect, test } from "vitest";
import { loadNative, message, parseKernelChoice, useNativeKernels } from "../src/index.ts";

const built = E.isRight(loadNative()) || process.env["DTD_REQUIRE_NATIVE"] === "1";
const saved = nativeKernels();
afterEach(() => installNativeKernels(saved));

const tmp = mkdtempSync(join(tmpdir(), "dtd-native-"));

describe("loadNative", () => {
  test("a missing file: NotBuilt, with the path and how to build", () => {
    const r = loadNative({ path: join(tmp, "nowhere", "dtd_native.node") });
    expect(E.isLeft(r) && r.left._tag).toBe("NotBuilt");
    if (E.isLeft(r)) expect(message(r.left)).toContain("pnpm --filter @dtd/native build");
  });

  test("a file that is not a shared library: LoadFailed, with Node's reason", () => {
    const path = join(tmp, "garbage.node");
    writeFileSync(path, "not an ELF file");
    const r = loadNative({ path });
    expect(E.isLeft(r) && r.left._tag).toBe("LoadFailed");
  });

  test("a module that loads but is not the addon: NotTheAddon, with what it exports", () => {
    const path = join(tmp, "other.cjs");
    writeFileSync(path, "module.exports = { hello: 1 };");
    const r = loadNative({ path });
    expect(E.isLeft(r) ? r.left : undefined).toEqual({ _tag: "NotTheAddon", path, found: "keys hello" });
  });

  test.skipIf(!built)("an instruction set the CPU or build lacks: UnknownIsa, listing those it has", () => {
    const r = loadNative({ isa: "sse9" });
    expect(E.isLeft(r) && r.left._tag).toBe("UnknownIsa");
    if (E.isLeft(r) && r.left._tag === "UnknownIsa") expect(r.left.expected).toContain("generic");
  });
});

describe("useNativeKernels", () => {
  test("kernel choices: auto, native, wasm; anything else refused with the choices", () => {
    expect(parseKernelChoice("wasm", "--kernels")).toEqual(E.right("wasm"));
    const bad = parseKernelChoice("fast", "--kernels");
    expect(E.isLeft(bad) && message(bad.left)).toBe('--kernels: expected one of auto, native, wasm, found "fast"');
  });

  test("wasm uninstalls them; auto without an addon falls back with the reason; native without one is a Left", () => {
    expect(useNativeKernels({ choice: "wasm" })).toEqual(E.right({ _tag: "NotNative", why: "wasm chosen" }));
    expect(T.kernels()).toBe("wasm-simd");
    const path = join(tmp, "absent.node");
    const auto = useNativeKernels({ choice: "auto", path });
    expect(E.isRight(auto) && auto.right._tag === "NotNative" && auto.right.why !== "wasm chosen" && auto.right.why._tag).toBe("NotBuilt");
    expect(T.kernels()).toBe("wasm-simd");
    const native = useNativeKernels({ choice: "native", path });
    expect(E.isLeft(native) && native.left._tag).toBe("NotBuilt");
  });

  test.skipIf(!built)("auto installs the addon: matmul runs on it and agrees with the WebAssembly route within float rounding", () => {
    const rng = T.Random.make(1805);
    const a = T.Random.uniformTensor(rng, [37, 300], -1, 1);
    const b = T.Random.uniformTensor(rng, [300, 29], -1, 1);
    useNativeKernels({ choice: "wasm" });
    const viaWasm = T.matmul(a, b);
    const r = useNativeKernels({ choice: "auto" });
    expect(E.isRight(r) && r.right._tag).toBe("Native");
    expect(T.kernels()).toBe("native");
    const viaNative = T.matmul(a, b);
    let worst = 0;
    for (let i = 0; i < viaWasm.data.length; i++) worst = Math.max(worst, Math.abs(viaNative.data[i]! - viaWasm.data[i]!));
    expect(worst).toBeLessThan(1e-12);
  });
});
