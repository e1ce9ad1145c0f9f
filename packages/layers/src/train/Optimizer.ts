/**
 * Optimizers as pure state transitions over the parameter tree: `init(params) → state`,
 * `step(state, params, grads) → { params, state }`. Nothing is mutated; every step allocates new tensors, so a
 * state can be kept, compared or replayed.
 * @module
 */
import * as T from "@dtd/tensor";
import { unsafeMake } from "@dtd/tensor/unsafe";
import { mapLeaves, type ParamTree, zerosLike } from "./ParamTree.ts";

/** An optimizer with state S. */
export interface Optimizer<S> {
  readonly name: string;
  readonly init: (params: ParamTree) => S;
  readonly step: (state: S, params: ParamTree, grads: ParamTree) => { readonly params: ParamTree; readonly state: S };
}

const positive = (op: string, name: string, v: number): void => {
  if (!(v > 0) || !Number.isFinite(v)) T.fail({ _tag: "InvalidArgument", op, expected: `${name} > 0 (finite)`, found: String(v) });
};
const unit = (op: string, name: string, v: number): void => {
  if (!(v >= 0 && v < 1)) T.fail({ _tag: "InvalidArgument", op, expected: `${name} in [0, 1)`, found: String(v) });
};

/** A fresh tensor of `like`'s shape and dtype, with its data to fill. */
const blank = (like: T.Tensor): { readonly out: T.FloatArray; readonly done: () => T.Tensor } => {
  const out = T.alloc(like.dtype, like.data.length);
  return { out, done: () => unsafeMake(like.shape, out) };
};

/** Options of SGD. */
export interface SgdOptions {
  readonly learningRate: number;
  /** μ ∈ [0, 1) (default 0: plain SGD). */
  readonly momentum?: number;
  /** Nesterov's look-ahead (default false; needs momentum > 0 to differ). */
  readonly nesterov?: boolean;
}

/** The state of SGD: the velocity v, one tensor per parameter. */
export interface SgdState {
  readonly velocity: ParamTree;
}

/**
 * Stochastic gradient descent with momentum (the PyTorch form): `v ← μ·v + g`, then
 * `θ ← θ − η·v`, or with Nesterov `θ ← θ − η·(g + μ·v)`. With μ = 0 it is `θ ← θ − η·g`.
 */
export const sgd = (opts: SgdOptions): Optimizer<SgdState> => {
  const lr = opts.learningRate;
  const mu = opts.momentum ?? 0;
  const nesterov = opts.nesterov ?? false;
  positive("sgd", "learningRate", lr);
  unit("sgd", "momentum", mu);
  return {
    name: `sgd(lr=${lr}${mu > 0 ? `, momentum=${mu}${nesterov ? ", nesterov" : ""}` : ""})`,
    init: (params) => ({ velocity: zerosLike(params) }),
    step: (state, params, grads) => {
      const velocity = mapLeaves("sgd.step", [state.velocity, grads], ([v0, g0]) => {
        const [v, g] = [v0!.data, g0!.data];
        const { out, done } = blank(v0!);
        for (let i = 0; i < out.length; i++) out[i] = mu * v[i]! + g[i]!;
        return done();
      });
      const next = mapLeaves("sgd.step", [params, grads, velocity], ([p0, g0, v0]) => {
        const [p, g, v] = [p0!.data, g0!.data, v0!.data];
        const { out, done } = blank(p0!);
        if (nesterov) for (let i = 0; i < out.length; i++) out[i] = p[i]! - lr * (g[i]! + mu * v[i]!);
        else for (let i = 0; i < out.length; i++) out[i] = p[i]! - lr * v[i]!;
        return done();
      });
      return { params: next, state: { velocity } };
    },
  };
};

/** Options of Adam (defaults β₁ = 0.9, β₂ = 0.999, ε = 1e-8). */
export interface AdamOptions {
  readonly learningRate: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly epsilon?: number;
}

/** The state of Adam: the step count t and the first and second moment estimates m, v. */
export interface AdamState {
  readonly t: number;
  readonly m: ParamTree;
  readonly v: ParamTree;
}

/**
 * Adam (Kingma & Ba 2015, Algorithm 1): `t ← t + 1`, `m ← β₁m + (1 − β₁)g`, `v ← β₂v + (1 − β₂)g²`,
 * `m̂ = m / (1 − β₁ᵗ)`, `v̂ = v / (1 − β₂ᵗ)`, `θ ← θ − η·m̂ / (√v̂ + ε)`. Bias correction makes the first
 * step `η·g / (|g| + ε)`, of magnitude ≈ η in every coordinate with g ≠ 0.
 */
export const adam = (opts: AdamOptions): Optimizer<AdamState> => {
  const lr = opts.learningRate;
  const b1 = opts.beta1 ?? 0.9;
  const b2 = opts.beta2 ?? 0.999;
  const eps = opts.epsilon ?? 1e-8;
  positive("adam", "learningRate", lr);
  unit("adam", "beta1", b1);
  unit("adam", "beta2", b2);
  positive("adam", "epsilon", eps);
  return {
    name: `adam(lr=${lr}, beta1=${b1}, beta2=${b2}, eps=${eps})`,
    init: (params) => ({ t: 0, m: zerosLike(params), v: zerosLike(params) }),
    step: (state, params, grads) => {
      const t = state.t + 1;
      const m = mapLeaves("adam.step", [state.m, grads], ([m0, g0]) => {
        const [mm, g] = [m0!.data, g0!.data];
        const { out, done } = blank(m0!);
        for (let i = 0; i < out.length; i++) out[i] = b1 * mm[i]! + (1 - b1) * g[i]!;
        return done();
      });
      const v = mapLeaves("adam.step", [state.v, grads], ([v0, g0]) => {
        const [vv, g] = [v0!.data, g0!.data];
        const { out, done } = blank(v0!);
        for (let i = 0; i < out.length; i++) out[i] = b2 * vv[i]! + (1 - b2) * g[i]! * g[i]!;
        return done();
      });
      const c1 = 1 - b1 ** t;
      const c2 = 1 - b2 ** t;
      const next = mapLeaves("adam.step", [params, m, v], ([p0, m0, v0]) => {
        const [p, mm, vv] = [p0!.data, m0!.data, v0!.data];
        const { out, done } = blank(p0!);
        for (let i = 0; i < out.length; i++) out[i] = p[i]! - (lr * (mm[i]! / c1)) / (Math.sqrt(vv[i]! / c2) + eps);
        return done();
      });
      return { params: next, state: { t, m, v } };
    },
  };
};
