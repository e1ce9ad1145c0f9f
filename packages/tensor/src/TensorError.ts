/**
 * Tagged errors of the tensor core. Each says what was expected and what was found.
 *
 * Validating constructors return them in an fp-ts `Either`. Ops on tensors that are already valid throw a
 * {@link TensorException} carrying one of them: a wrong shape there is a programmer error, detected before any
 * loop runs, and `attempt` turns it back into an `Either` at a boundary.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";

/** Every way a tensor operation can be refused. */
export type TensorError =
  | { readonly _tag: "ShapeMismatch"; readonly op: string; readonly expected: string; readonly found: string }
  | { readonly _tag: "LengthMismatch"; readonly op: string; readonly expected: number; readonly found: number }
  | { readonly _tag: "DTypeMismatch"; readonly op: string; readonly expected: string; readonly found: string }
  /** A NaN or ±Infinity; with `overflows`, a finite value that becomes infinite in that dtype (1e39 in float32). */
  | { readonly _tag: "NonFinite"; readonly op: string; readonly index: number; readonly value: number; readonly overflows?: "float32" }
  | { readonly _tag: "InvalidShape"; readonly op: string; readonly shape: readonly number[]; readonly reason: string }
  | { readonly _tag: "AxisOutOfRange"; readonly op: string; readonly axis: number; readonly rank: number }
  | { readonly _tag: "InvalidArgument"; readonly op: string; readonly expected: string; readonly found: string };

/** Formats a shape as `[2, 3]`. */
export const showShape = (shape: readonly number[]): string => `[${shape.join(", ")}]`;

/** A one-line human message for an error: names the op, what was expected and what was found. */
export const message = (e: TensorError): string => {
  switch (e._tag) {
    case "ShapeMismatch":
      return `${e.op}: shape mismatch: expected ${e.expected}, found ${e.found}`;
    case "LengthMismatch":
      return `${e.op}: length mismatch: expected ${e.expected} elements, found ${e.found}`;
    case "DTypeMismatch":
      return `${e.op}: dtype mismatch: expected ${e.expected}, found ${e.found}`;
    case "NonFinite":
      return e.overflows === undefined
        ? `${e.op}: non-finite value ${e.value} at flat index ${e.index}: expected finite numbers`
        : `${e.op}: value ${e.value} at flat index ${e.index} overflows ${e.overflows} (|x| ≤ 3.4028234663852886e38): expected finite ${e.overflows} numbers`;
    case "InvalidShape":
      return `${e.op}: invalid shape ${showShape(e.shape)}: ${e.reason}`;
    case "AxisOutOfRange":
      return `${e.op}: axis ${e.axis} out of range: expected an axis in [${-e.rank}, ${e.rank - 1}] for rank ${e.rank}`;
    case "InvalidArgument":
      return `${e.op}: invalid argument: expected ${e.expected}, found ${e.found}`;
  }
};

/** The exception thrown by ops on invalid arguments; `error` holds the tagged value. */
export class TensorException extends Error {
  readonly error: TensorError;
  constructor(error: TensorError) {
    super(message(error));
    this.name = "TensorException";
    this.error = error;
  }
}

/** Throws `error` as a {@link TensorException}. */
export const fail = (error: TensorError): never => {
  throw new TensorException(error);
};

/**
 * Runs `thunk`, returning `Right(result)`, or `Left(error)` when it throws a {@link TensorException}.
 * Other exceptions (bugs) propagate.
 */
export const attempt = <A>(thunk: () => A): E.Either<TensorError, A> => {
  try {
    return E.right(thunk());
  } catch (u) {
    if (u instanceof TensorException) return E.left(u.error);
    throw u;
  }
};
