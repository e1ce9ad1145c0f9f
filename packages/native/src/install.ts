/**
 * Installing the native kernels into @dtd/tensor, with the opt-out users have: DTD_KERNELS (or a CLI's
 * --kernels flag) = "auto" (native when the addon loads, else WebAssembly/JavaScript), "native" (the addon
 * must load: an error otherwise) or "wasm" (never native: WebAssembly SIMD, or JavaScript where it is missing).
 * @module
 */
import { installNativeKernels } from "@dtd/tensor/unsafe";
import * as E from "fp-ts/lib/Either.js";
import { type LoadedKernels, type LoadOptions, loadNative } from "./load.ts";
import type { NativeError } from "./NativeError.ts";

/** The choices of DTD_KERNELS and --kernels. */
export const kernelChoices = ["auto", "native", "wasm"] as const;
export type KernelChoice = (typeof kernelChoices)[number];

const isChoice = (s: string): s is KernelChoice => (kernelChoices as readonly string[]).includes(s);

/** A kernel choice from its text (`where` names its source in the error, e.g. "--kernels" or "DTD_KERNELS"). */
export const parseKernelChoice = (text: string, where: string): E.Either<NativeError, KernelChoice> =>
  isChoice(text) ? E.right(text) : E.left({ _tag: "UnknownKernels", where, expected: kernelChoices, found: text });

/** The choice in DTD_KERNELS ("auto" when unset or empty). */
export const envKernelChoice = (): E.Either<NativeError, KernelChoice> => {
  const v = process.env["DTD_KERNELS"];
  return v === undefined || v === "" ? E.right("auto") : parseKernelChoice(v, "DTD_KERNELS");
};

/** What {@link useNativeKernels} did: the kernels installed, or undefined with the reason they were not. */
export type Installed = { readonly _tag: "Native"; readonly kernels: LoadedKernels } | { readonly _tag: "NotNative"; readonly why: "wasm chosen" | NativeError };

export interface UseOptions extends LoadOptions {
  /** Default: DTD_KERNELS, else "auto". */
  readonly choice?: KernelChoice;
}

/**
 * Installs the native kernels into @dtd/tensor as the choice says (see the module comment), or uninstalls
 * them for "wasm". A Left only for choice "native" when the addon cannot be used, or an unknown DTD_KERNELS;
 * with "auto" a missing addon is a Right NotNative carrying the reason (e.g. for a report's header).
 */
export const useNativeKernels = (opts: UseOptions = {}): E.Either<NativeError, Installed> => {
  const choice = opts.choice === undefined ? envKernelChoice() : E.right(opts.choice);
  return E.chain((c: KernelChoice): E.Either<NativeError, Installed> => {
    if (c === "wasm") {
      installNativeKernels(undefined);
      return E.right({ _tag: "NotNative", why: "wasm chosen" });
    }
    const loaded = loadNative(opts);
    if (E.isRight(loaded)) {
      installNativeKernels(loaded.right);
      return E.right({ _tag: "Native", kernels: loaded.right });
    }
    installNativeKernels(undefined);
    return c === "native" ? loaded : E.right({ _tag: "NotNative", why: loaded.left });
  })(choice);
};

/** A short description for a report header: "native avx512", or "wasm (native: not built …)". */
export const describeInstalled = (i: Installed): string => (i._tag === "Native" ? i.kernels.name : i.why === "wasm chosen" ? "wasm/js (DTD_KERNELS=wasm)" : `wasm/js (native unavailable: ${i.why._tag})`);
