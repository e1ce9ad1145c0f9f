/**
 * Tagged errors of @dtd/viz. Each says what was expected and what was found.
 *
 * File and decoding boundaries (`Png.decodePng`, `Png.readPng`, `Png.writePng`) return them in an fp-ts `Either`.
 * Drawing and layout functions throw a {@link VizException} carrying one of them when called with invalid
 * arguments (a negative width, a map whose size does not match its shape): that is a programmer error, detected
 * before any pixel is written.
 * @module
 */

/** Every way a viz operation can be refused. */
export type VizError =
  | { readonly _tag: "InvalidArgument"; readonly op: string; readonly expected: string; readonly found: string }
  | { readonly _tag: "CorruptPng"; readonly source: string; readonly reason: string }
  /** An image whose header declares a size that will not be decoded (not the size expected, or too many pixels). */
  | { readonly _tag: "ImageSize"; readonly source: string; readonly expected: string; readonly found: string }
  /** Bytes that are not an image of a format dtd reads, or whose decoder refused them (JPEG). */
  | { readonly _tag: "CorruptImage"; readonly source: string; readonly expected: string; readonly found: string }
  | { readonly _tag: "FileError"; readonly op: string; readonly path: string; readonly reason: string };

/** A one-line human message for an error. */
export const message = (e: VizError): string => {
  switch (e._tag) {
    case "InvalidArgument":
      return `${e.op}: invalid argument: expected ${e.expected}, found ${e.found}`;
    case "CorruptPng":
      return `cannot decode ${e.source} as PNG: expected a valid PNG stream, found ${e.reason}`;
    case "ImageSize":
      return `${e.source}: expected ${e.expected}, found ${e.found}`;
    case "CorruptImage":
      return `cannot decode ${e.source}: expected ${e.expected}, found ${e.found}`;
    case "FileError":
      return `${e.op}: cannot access ${e.path}: ${e.reason}`;
  }
};

/** The exception thrown by drawing and layout functions on invalid arguments; `error` holds the tagged value. */
export class VizException extends Error {
  readonly error: VizError;
  constructor(error: VizError) {
    super(message(error));
    this.name = "VizException";
    this.error = error;
  }
}

/** Throws an InvalidArgument error as a {@link VizException}. */
export const invalid = (op: string, expected: string, found: string): never => {
  throw new VizException({ _tag: "InvalidArgument", op, expected, found });
};

/** Throws unless `n` is an integer ≥ `min`; `what` names the argument in the message. */
export const checkInt = (op: string, what: string, n: number, min: number): void => {
  if (!Number.isInteger(n) || n < min) invalid(op, `${what} to be an integer >= ${min}`, String(n));
};
