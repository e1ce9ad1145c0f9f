/**
 * `apply`: the one place where a primitive is evaluated and recorded in the graph.
 * @module
 */
import type * as T from "@dtd/tensor";
import { impls } from "./internal/impls.ts";
import type { Params, Primitive } from "./Primitive.ts";
import { type Eqn, nextId, type Var } from "./Var.ts";

/** Evaluates `primitive` on the inputs' values and returns the new Var, recording its equation. */
export const apply = <P extends Exclude<Primitive, "custom">>(primitive: P, inputs: readonly Var[], params: Params[P]): Var => {
  const value: T.Tensor = impls[primitive](
    inputs.map((v) => v.value),
    params,
  );
  return { id: nextId(), value, eqn: { primitive, params, inputs } as Eqn };
};

/** Records an already computed value as the output of `primitive` (used by customVjp and max pooling). */
export const record = <P extends Primitive>(primitive: P, inputs: readonly Var[], params: Params[P], value: T.Tensor): Var => ({
  id: nextId(),
  value,
  eqn: { primitive, params, inputs } as Eqn,
});
