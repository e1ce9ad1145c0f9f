/**
 * A strict object codec for io-ts: required and optional fields, and every unknown field reported (a typo such
 * as `"strides"` must not silently fall back to a default). Plus {@link refine}, which checks decoded fields
 * against each other.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as t from "io-ts";
import { at, field, isObject, issue } from "./report.ts";

/** Codecs by field name. */
export type Fields = Readonly<Record<string, t.Mixed>>;

/** The decoded object: required fields, then optional ones (absent when absent from the JSON). */
export type RecordOf<R extends Fields, O extends Fields> = { readonly [K in keyof R]: t.TypeOf<R[K]> } & { readonly [K in keyof O]?: t.TypeOf<O[K]> };

/**
 * An object with `required` and `optional` fields (a JSON `null` is not an absent field). `checked` names
 * fields that are allowed but validated elsewhere (a layer's `type`); every other field is an error.
 * `name` is what was expected when the value is not an object ("a dense layer").
 */
export const record = <R extends Fields, O extends Fields>(
  name: string,
  required: R,
  optional: O,
  checked: readonly string[] = [],
): t.Type<RecordOf<R, O>, unknown, unknown> => {
  const allowed = [...checked, ...Object.keys(required), ...Object.keys(optional)];
  const entries = [...Object.entries(required).map(([k, c]) => [k, c, true] as const), ...Object.entries(optional).map(([k, c]) => [k, c, false] as const)];
  const is = (u: unknown): u is RecordOf<R, O> =>
    isObject(u) && Object.keys(u).every((k) => allowed.includes(k)) && entries.every(([k, c, req]) => (req || Object.hasOwn(u, k) ? c.is(field(u, k)) : true));
  return new t.Type<RecordOf<R, O>, unknown, unknown>(
    name,
    is,
    (u, c) => {
      if (!isObject(u)) return t.failure(u, c);
      const errors: t.ValidationError[] = [];
      const out: Record<string, unknown> = {};
      for (const [k, codec, req] of entries) {
        if (!req && !Object.hasOwn(u, k)) continue;
        const v = field(u, k);
        const r = codec.validate(v, at(c, k, codec, v));
        if (E.isLeft(r)) errors.push(...r.left);
        else out[k] = r.right;
      }
      for (const k of Object.keys(u)) {
        if (!allowed.includes(k)) errors.push(issue(u, c, `only the fields of ${name} (${allowed.join(", ")})`, `an unknown field ${JSON.stringify(k)}`));
      }
      return errors.length > 0 ? t.failures(errors) : t.success(out as RecordOf<R, O>);
    },
    (a) => a,
  );
};

/**
 * A codec that decodes with `codec`, then checks or transforms the result with `f` (at the same place of the
 * file, so `f` can report a problem on any field).
 */
export const refine = <A, B>(
  codec: t.Type<A, unknown, unknown>,
  name: string,
  is: (u: unknown) => u is B,
  f: (a: A, u: unknown, c: t.Context) => t.Validation<B>,
): t.Type<B, unknown, unknown> =>
  new t.Type<B, unknown, unknown>(
    name,
    is,
    (u, c) => E.flatMap(codec.validate(u, c), (a) => f(a, u, c)),
    (b) => b,
  );
