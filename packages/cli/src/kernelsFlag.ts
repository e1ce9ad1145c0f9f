/**
 * The executable's `--kernels auto|native|wasm` option (anywhere on the command line, before a lone `--`): which
 * loops the products run on (@dtd/native's kernel choice; the DTD_KERNELS environment variable says the same,
 * the flag wins). Taken out of the arguments before the command parses them.
 * @module
 */
import { type KernelChoice, type NativeError, parseKernelChoice } from "@dtd/native";
import * as E from "fp-ts/lib/Either.js";

/** The choice given (undefined: none) and the arguments without it. */
export interface Taken {
  readonly choice: KernelChoice | undefined;
  readonly rest: readonly string[];
}

export const takeKernelsFlag = (argv: readonly string[]): E.Either<NativeError, Taken> => {
  const rest: string[] = [];
  let choice: E.Either<NativeError, KernelChoice> | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") {
      rest.push(...argv.slice(i));
      break;
    }
    if (a === "--kernels") choice = parseKernelChoice(argv[++i] ?? "(nothing)", "--kernels");
    else if (a.startsWith("--kernels=")) choice = parseKernelChoice(a.slice("--kernels=".length), "--kernels");
    else rest.push(a);
  }
  if (choice === undefined) return E.right({ choice: undefined, rest });
  return E.map((c: KernelChoice): Taken => ({ choice: c, rest }))(choice);
};
