/**
 * The importers validate at hundreds of places; each refusal short-circuits with an {@link ImportFailure}
 * carrying the tagged error, and the public entry points turn it back into a `Left` with {@link attempt}
 * (the pattern of @dtd/tensor's `TensorException` and `attempt`). Nothing else is caught: other exceptions
 * are bugs.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import { type ImportError, message } from "../ImportError.ts";

/** An exception carrying an ImportError, never seen outside this package. */
export class ImportFailure extends Error {
  readonly error: ImportError;
  constructor(error: ImportError) {
    super(message(error));
    this.name = "ImportFailure";
    this.error = error;
  }
}

/** Refuses with `error`. */
export const fail = (error: ImportError): never => {
  throw new ImportFailure(error);
};

/** `Right(thunk())`, or `Left` with the error of an {@link ImportFailure}. */
export const attempt = <A>(thunk: () => A): E.Either<ImportError, A> => {
  try {
    return E.right(thunk());
  } catch (u) {
    if (u instanceof ImportFailure) return E.left(u.error);
    throw u;
  }
};
