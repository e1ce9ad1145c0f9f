/**
 * Why the native kernels are not available: each says what was expected and what was found.
 * @module
 */

/** Every way loading or choosing the native kernels can fail. */
export type NativeError =
  /** The addon file does not exist: the install script did not build it (no C compiler, or scripts ignored). */
  | { readonly _tag: "NotBuilt"; readonly path: string }
  /** The build script does not build for this platform. */
  | { readonly _tag: "UnsupportedPlatform"; readonly platform: string; readonly arch: string }
  /** The file exists but Node refused it (built for another platform or Node-API version, corrupt). */
  | { readonly _tag: "LoadFailed"; readonly path: string; readonly reason: string }
  /** The file loaded but does not export what @dtd/native's addon exports. */
  | { readonly _tag: "NotTheAddon"; readonly path: string; readonly found: string }
  /** An instruction set was asked for that this CPU or build does not run. */
  | { readonly _tag: "UnknownIsa"; readonly expected: readonly string[]; readonly found: string }
  /** DTD_KERNELS or --kernels named no kernel choice. */
  | { readonly _tag: "UnknownKernels"; readonly where: string; readonly expected: readonly string[]; readonly found: string };

/** A one-line message for an error, with what to do about it where there is something to do. */
export const message = (e: NativeError): string => {
  switch (e._tag) {
    case "NotBuilt":
      return `@dtd/native: the addon is not built (expected ${e.path}); build it with \`pnpm --filter @dtd/native build\` (needs a C compiler)`;
    case "UnsupportedPlatform":
      return `@dtd/native: no build for ${e.platform}-${e.arch} (expected Linux or macOS)`;
    case "LoadFailed":
      return `@dtd/native: could not load ${e.path}: ${e.reason}`;
    case "NotTheAddon":
      return `@dtd/native: ${e.path} is not @dtd/native's addon (expected exports isas and gemm, found ${e.found})`;
    case "UnknownIsa":
      return `@dtd/native: expected an instruction set among ${e.expected.join(", ")}, found "${e.found}"`;
    case "UnknownKernels":
      return `${e.where}: expected one of ${e.expected.join(", ")}, found "${e.found}"`;
  }
};
