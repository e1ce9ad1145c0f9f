/**
 * `checkGrads`: reverse-mode derivatives against central finite differences along a random direction (JAX's
 * `check_grads`, mode "rev"). For f: ℝⁿ → ℝᵐ, a random input direction u and output cotangent c, it compares
 *   ⟨c, (f(x + εu) − f(x − εu)) / 2ε⟩   with   ⟨vjp(c), u⟩,
 * in float64. With `order: 2` it also checks the derivative of the VJP itself (second order).
 * @module
 */
import * as T from "@dtd/tensor";
import { constant, type Var } from "../Var.ts";
import { vjpVar } from "../vjp.ts";
import * as Op from "../ops.ts";

/** Options of checkGrads. */
export interface CheckGradsOptions {
  /** Finite-difference step (default 1e-5). */
  readonly eps?: number;
  /** Absolute tolerance (default 1e-6). */
  readonly atol?: number;
  /** Relative tolerance (default 1e-5). */
  readonly rtol?: number;
  /** Seed of the random directions (default 0). */
  readonly seed?: number;
  /** 1: first derivatives; 2: also the VJP's own derivatives (default 1). */
  readonly order?: 1 | 2;
}

/** The outcome: ok, and the two numbers compared at each order. */
export interface CheckGradsReport {
  readonly ok: boolean;
  readonly message: string;
  readonly checks: readonly { readonly order: number; readonly numeric: number; readonly analytic: number }[];
}

const dot = (a: T.Tensor, b: T.Tensor): number => {
  let s = 0;
  for (let i = 0; i < a.data.length; i++) s += a.data[i]! * b.data[i]!;
  return s;
};

const axpy = (x: T.Tensor, alpha: number, u: T.Tensor): T.Tensor => T.add(x, T.mul(u, alpha));

const checkFirst = (
  f: (...xs: Var[]) => Var,
  xs: readonly T.Tensor[],
  rng: T.Random.Rng,
  eps: number,
): { numeric: number; analytic: number } => {
  const [y, pb] = vjpVar(f, ...xs);
  const c = T.Random.normalTensor(rng, y.value.shape);
  const us = xs.map((x) => T.Random.normalTensor(rng, x.shape));
  const plus = f(...xs.map((x, i) => constant(axpy(x, eps, us[i]!)))).value;
  const minus = f(...xs.map((x, i) => constant(axpy(x, -eps, us[i]!)))).value;
  const numeric = (dot(c, plus) - dot(c, minus)) / (2 * eps);
  const grads = pb(constant(c));
  const analytic = grads.reduce((s, g, i) => s + dot(g.value, us[i]!), 0);
  return { numeric, analytic };
};

/**
 * Checks the derivatives of `f` at float64 inputs `xs`. Returns a report (use `expect(report.ok)` or
 * `assertGrads`).
 */
export const checkGrads = (f: (...xs: Var[]) => Var, xs: readonly T.Tensor[], opts: CheckGradsOptions = {}): CheckGradsReport => {
  const eps = opts.eps ?? 1e-5;
  const atol = opts.atol ?? 1e-6;
  const rtol = opts.rtol ?? 1e-5;
  const rng = T.Random.make(opts.seed ?? 0);
  const inputs = xs.map((x) => T.astype(x, "float64"));
  const checks: { order: number; numeric: number; analytic: number }[] = [{ order: 1, ...checkFirst(f, inputs, rng, eps) }];
  if ((opts.order ?? 1) >= 2) {
    // g(xs) = ⟨c, J(xs)ᵀ⟩·… : the VJP with a fixed cotangent, itself a function of xs, checked the same way.
    const y0 = f(...inputs.map((x) => constant(x))).value;
    const c = T.Random.normalTensor(rng, y0.shape);
    const g = (...vs: Var[]): Var => {
      const [, pb] = vjpVar(f, ...vs);
      const grads = pb(constant(c));
      return Op.concat(grads.map((gi) => Op.reshape(gi, [gi.value.data.length])), 0);
    };
    checks.push({ order: 2, ...checkFirst(g, inputs, rng, eps) });
  }
  const bad = checks.find((k) => !(Math.abs(k.numeric - k.analytic) <= atol + rtol * Math.abs(k.numeric)));
  return {
    ok: bad === undefined,
    checks,
    message: checks
      .map((k) => `order ${k.order}: finite differences ${k.numeric}, reverse mode ${k.analytic}, |diff| ${Math.abs(k.numeric - k.analytic)}`)
      .join("; "),
  };
};

/** Throws with the report unless the derivatives check out. */
export const assertGrads = (f: (...xs: Var[]) => Var, xs: readonly T.Tensor[], opts: CheckGradsOptions = {}): void => {
  const r = checkGrads(f, xs, opts);
  if (!r.ok) throw new Error(`checkGrads failed: ${r.message}`);
};
