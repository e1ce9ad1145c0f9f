/**
 * A traced value: a tensor together with the equation that produced it. Vars form an immutable graph; nothing
 * in it is ever mutated, so evaluating or differentiating the same function twice is safe.
 * @module
 */
import * as T from "@dtd/tensor";
import type { Params, Primitive } from "./Primitive.ts";

/** How a Var was computed: a primitive applied to input Vars with parameters. */
export type Eqn = { readonly [P in Primitive]: { readonly primitive: P; readonly params: Params[P]; readonly inputs: readonly Var[] } }[Primitive];

/** A value in the graph. `eqn` is undefined for constants (which carry no gradient). */
export interface Var<S extends T.Shape.Shape = T.Shape.Shape, D extends T.DType = T.DType> {
  readonly id: number;
  readonly value: T.Tensor<S, D>;
  readonly eqn: Eqn | undefined;
}

/** What ops accept: a Var, a plain tensor (a constant), or a number (a scalar constant). */
export type Input<D extends T.DType = T.DType> = Var<T.Shape.Shape, D> | T.Tensor<T.Shape.Shape, D> | number;

let counter = 0;

/** A fresh Var id: ids grow, so a node is always younger than its inputs. */
export const nextId = (): number => ++counter;

/** A constant Var: no equation, no gradient. */
export const constant = <S extends T.Shape.Shape, D extends T.DType>(value: T.Tensor<S, D>): Var<S, D> => ({ id: nextId(), value, eqn: undefined });

/** True when `u` is a Var. */
export const isVar = (u: unknown): u is Var =>
  typeof u === "object" && u !== null && "value" in u && "id" in u && "eqn" in u;

/** Lifts an input to a Var; numbers become scalars of `dtype`. */
export const lift = <D extends T.DType>(x: Input<D>, dtype: D): Var<T.Shape.Shape, D> =>
  typeof x === "number" ? constant(T.scalar(x, dtype)) : isVar(x) ? (x as Var<T.Shape.Shape, D>) : constant(x);

/** The dtype shared by the inputs that are not numbers (float64 when all are numbers). */
export const dtypeOfInputs = (xs: readonly Input[]): T.DType => {
  for (const x of xs) if (typeof x !== "number") return isVar(x) ? x.value.dtype : x.dtype;
  return "float64";
};

/** The tensor behind an input. */
export const valueOf = (x: Var | T.Tensor): T.Tensor => (isVar(x) ? x.value : x);
