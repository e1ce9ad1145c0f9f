/**
 * Loading the addon (build/dtd_native.node, built by scripts/build.mjs) and wrapping it as @dtd/tensor's
 * NativeKernels.
 * @module
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { NativeKernels } from "@dtd/tensor/unsafe";
import * as E from "fp-ts/lib/Either.js";
import type { NativeError } from "./NativeError.ts";

const requireHere = createRequire(import.meta.url);

/**
 * The package's directory, found as Node finds the package from this module: the package itself when this is
 * its own file (src/ or dist/, whose entry sits one level below the root), the installed @dtd/native when this
 * code was bundled into a program (the `dtd` bundle, scripts/bundle.mjs in @dtd/cli), where `import.meta.url`
 * is the bundle's; beside this module when the name does not resolve.
 */
const packageDir = (): string => {
  try {
    return dirname(dirname(requireHere.resolve("@dtd/native")));
  } catch {
    return fileURLToPath(new URL("..", import.meta.url));
  }
};

/** Where the install script puts the addon: build/ in the package's directory. */
export const defaultAddonPath = join(packageDir(), "build", "dtd_native.node");

/** What the addon exports (addon.c). */
interface Addon {
  /** The instruction sets this CPU runs, widest first. */
  readonly isas: readonly string[];
  readonly gemm: Readonly<Record<string, NativeKernels["gemm"]>>;
  /** The convolutions of each instruction set (convAddon.c); absent from an addon built before them. */
  readonly conv2d?: Readonly<Record<string, NonNullable<NativeKernels["conv2d"]>>>;
  readonly conv2dBackpropInput?: Readonly<Record<string, NonNullable<NativeKernels["conv2dBackpropInput"]>>>;
  readonly conv2dBackpropInputQuotient?: Readonly<Record<string, NonNullable<NativeKernels["conv2dBackpropInputQuotient"]>>>;
  /** Max pooling (pool.c: one build for every instruction set); absent from addons built before it. */
  readonly maxPool2d?: NativeKernels["maxPool2d"];
  /** Eq. (4)'s quotient (quotient.c: one build for every instruction set); absent from addons built before it. */
  readonly quotient?: NativeKernels["quotient"];
  /** x⁺ (positivePart.c: one build for every instruction set); absent from addons built before it. */
  readonly positivePart?: NativeKernels["positivePart"];
  /** Per-row Σ x and Σ |x| (rowSums.c: one build for every instruction set); absent from addons built before it. */
  readonly rowSums?: NativeKernels["rowSums"];
}

/** The native kernels, with what they run on. */
export interface LoadedKernels extends NativeKernels {
  /** The instruction set in use, e.g. "avx512", "avx2" or "generic". */
  readonly isa: string;
  /** Every instruction set this CPU runs with this build, widest first. */
  readonly isas: readonly string[];
}

export interface LoadOptions {
  /** The addon file (default {@link defaultAddonPath}). */
  readonly path?: string;
  /** An instruction set among those the CPU runs (default: the widest; or DTD_NATIVE_ISA when set). */
  readonly isa?: string;
}

const isAddon = (u: unknown): u is Addon => {
  if (typeof u !== "object" || u === null) return false;
  const r = u as { readonly isas?: unknown; readonly gemm?: unknown };
  return Array.isArray(r.isas) && r.isas.every((x) => typeof x === "string") && typeof r.gemm === "object" && r.gemm !== null;
};

const loadAddon = (path: string): E.Either<NativeError, Addon> => {
  if (process.platform !== "linux" && process.platform !== "darwin") return E.left({ _tag: "UnsupportedPlatform", platform: process.platform, arch: process.arch });
  if (!existsSync(path)) return E.left({ _tag: "NotBuilt", path });
  let mod: unknown;
  try {
    mod = requireHere(path);
  } catch (e) {
    return E.left({ _tag: "LoadFailed", path, reason: e instanceof Error ? e.message.split("\n")[0]! : String(e) });
  }
  return isAddon(mod) ? E.right(mod) : E.left({ _tag: "NotTheAddon", path, found: typeof mod === "object" && mod !== null ? `keys ${Object.keys(mod).join(", ") || "(none)"}` : typeof mod });
};

/**
 * The native kernels of the addon at `path`, on the widest instruction set the CPU runs (or `isa`, or the
 * DTD_NATIVE_ISA environment variable), or why not. Loading the same file twice returns the same module.
 */
export const loadNative = (opts: LoadOptions = {}): E.Either<NativeError, LoadedKernels> => {
  const path = opts.path ?? defaultAddonPath;
  const wanted = opts.isa ?? (process.env["DTD_NATIVE_ISA"] || undefined);
  return E.chain((addon: Addon): E.Either<NativeError, LoadedKernels> => {
    const isa = wanted ?? addon.isas[0];
    const gemm = isa === undefined ? undefined : addon.gemm[isa];
    if (isa === undefined || gemm === undefined || !addon.isas.includes(isa)) return E.left({ _tag: "UnknownIsa", expected: addon.isas, found: isa ?? "(none)" });
    const conv2d = addon.conv2d?.[isa];
    const conv2dBackpropInput = addon.conv2dBackpropInput?.[isa];
    const conv2dBackpropInputQuotient = addon.conv2dBackpropInputQuotient?.[isa];
    const maxPool2d = typeof addon.maxPool2d === "function" ? addon.maxPool2d : undefined;
    const quotient = typeof addon.quotient === "function" ? addon.quotient : undefined;
    const positivePart = typeof addon.positivePart === "function" ? addon.positivePart : undefined;
    const rowSums = typeof addon.rowSums === "function" ? addon.rowSums : undefined;
    return E.right({
      name: `native ${isa}`,
      isa,
      isas: addon.isas,
      gemm,
      ...(conv2d === undefined ? {} : { conv2d }),
      ...(conv2dBackpropInput === undefined ? {} : { conv2dBackpropInput }),
      ...(conv2dBackpropInputQuotient === undefined ? {} : { conv2dBackpropInputQuotient }),
      ...(maxPool2d === undefined ? {} : { maxPool2d }),
      ...(quotient === undefined ? {} : { quotient }),
      ...(positivePart === undefined ? {} : { positivePart }),
      ...(rowSums === undefined ? {} : { rowSums }),
    });
  })(loadAddon(path));
};
