/**
 * Input domains 𝒳 of the root-point search (Montavon et al. 2017, Sec. 3: "the line lies inside the input domain
 * and contains a root point"). A domain is a value with three jobs:
 *
 * - a **membership test** (`firstOutside`): the first unit, or coupling constraint, of one sample outside 𝒳;
 * - the **segment logic** the root search needs (`segment`): for a point x and a direction v, the interval of
 *   steps s with x − s·v ∈ 𝒳 (an interval, since every domain here is convex);
 * - a **sampler** (`sample`) the property kit draws inputs from.
 *
 * Domains that are polyhedra — per-unit bounds l_i ≤ x_i ≤ h_i and linear constraints a·x ≤ c (or = c) — are
 * declared as data (`polyhedron`) and get all three from that description; they also carry it (`Domain.polyhedron`),
 * which lets verifyRoots check a convolution neuron in O(its kernel window + log d). The built-ins are instances:
 * ℝᵈ (the w²-rule), ℝ₊ᵈ (z⁺), ℝ₋ᵈ, the box 𝓑 = {l ≤ x ≤ h} (zᵇ; any l ≤ h, so boxes that exclude 0 too),
 * the probability simplex and half-spaces. Any other convex set is declared by writing the three functions
 * (`convex`). Every domain holds finite numbers only.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as T from "@dtd/tensor";

/** A bound or coefficient: one number for every unit, or one per unit (flat, in the input's layout). */
export type Bound = number | T.Tensor;

/** The bound's value at flat unit i. */
export const at = (b: Bound, i: number): number => (typeof b === "number" ? b : b.data[i % b.data.length]!);

/** A linear constraint Σ_i a_i x_i ≤ c, or = c when `equal`: it couples the units (a simplex, a half-space). */
export interface LinearConstraint {
  readonly a: Bound;
  readonly c: number;
  readonly equal: boolean;
  /** How it reads, e.g. "Σ_i x_i = 1". */
  readonly label: string;
}

/** A polyhedron: per-unit bounds (±Infinity where a unit is free on that side) and linear constraints. */
export interface Polyhedron {
  readonly low: Bound;
  readonly high: Bound;
  readonly constraints: readonly LinearConstraint[];
}

/**
 * Where one sample leaves a domain: `index` counts units 0…d−1 and then the constraints (d + k for constraint k),
 * so a scan can resume after it; `unit` is the unit, or −1 for a constraint (then `value` is a·x).
 */
export interface Outside {
  readonly index: number;
  readonly unit: number;
  readonly value: number;
  readonly expected: string;
}

/** An interval of steps s, empty when lo > hi. */
export interface Interval {
  readonly lo: number;
  readonly hi: number;
}

/** An input domain. */
export interface Domain {
  /** The kind of set: "Real", "NonNegative", "NonPositive", "Box", "Simplex", "HalfSpace", "Polyhedron", "Custom"… */
  readonly _tag: string;
  /** A short description: "R^d", "R+^d", "box [0.2, 1]". */
  readonly name: string;
  /**
   * The first unit (or constraint) of one sample (flat, length d) outside the domain, widened by `tol`, scanning
   * from position `from` (units, then constraints); undefined when the sample lies inside.
   */
  readonly firstOutside: (x: ArrayLike<number>, tol: number, from: number) => Outside | undefined;
  /** { s : x − s·v ∈ 𝒳 widened by tol }, an interval (empty when x itself lies outside). */
  readonly segment: (x: ArrayLike<number>, v: ArrayLike<number>, tol: number) => Interval;
  /** One sample of d units inside the domain, from a seeded stream. */
  readonly sample: (rng: T.Random.Rng, d: number) => Float64Array;
  /** The domain as bounds and linear constraints, when it is a polyhedron (every built-in). */
  readonly polyhedron?: Polyhedron;
}

/** The tolerance of a constraint a·x ≤ c: absolute near c = 0, relative to |c| beyond. */
export const constraintTol = (k: LinearConstraint, tol: number): number => tol * Math.max(1, Math.abs(k.c));

const dot = (a: Bound, x: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += at(a, i) * x[i]!;
  return s;
};

const unitExpectation = (l: number, h: number): string =>
  l === -Infinity && h === Infinity ? "a finite number" : l === -Infinity ? `x ≤ ${h}` : h === Infinity ? `x ≥ ${l}` : `${l} ≤ x ≤ ${h}`;

/** The first unit from `from` on that is not a finite number in [lo, hi], or x.length. */
const firstUnitOutside = (x: ArrayLike<number>, lo: number, hi: number, from: number): number => {
  const d = x.length;
  let i = from;
  for (; i < d; i++) {
    const v = x[i]!;
    // v − v is 0 for a finite v, NaN for ±∞ and NaN.
    if (!(v >= lo && v <= hi && v - v === 0)) break;
  }
  return i;
};

/** Membership in a polyhedron: units first, then the constraints. */
const polyhedronOutside = (p: Polyhedron, x: ArrayLike<number>, tol: number, from: number): Outside | undefined => {
  const d = x.length;
  // Scalar bounds (ℝ₊ᵈ, a box with numbers): one loop with the widened bounds hoisted, until the first unit that
  // fails; the general loop below then reports it (or, for bounds given per unit, checks every unit).
  if (typeof p.low === "number" && typeof p.high === "number") from = firstUnitOutside(x, p.low - tol, p.high + tol, from);
  for (let i = from; i < d; i++) {
    const v = x[i]!;
    const l = at(p.low, i);
    const h = at(p.high, i);
    if (!(Number.isFinite(v) && v >= l - tol && v <= h + tol)) return { index: i, unit: i, value: v, expected: unitExpectation(l, h) };
  }
  for (let k = Math.max(0, from - d); k < p.constraints.length; k++) {
    const c = p.constraints[k]!;
    const ax = dot(c.a, x);
    const t = constraintTol(c, tol);
    if (!(c.equal ? Math.abs(ax - c.c) <= t : ax <= c.c + t)) return { index: d + k, unit: -1, value: ax, expected: c.label };
  }
  return undefined;
};

/** Intersects [lo, hi] with { s : s·coef ≤ rhs } (coef may be 0: all s or none). */
const clip = (r: { lo: number; hi: number }, coef: number, rhs: number): void => {
  if (coef > 0) r.hi = Math.min(r.hi, rhs / coef);
  else if (coef < 0) r.lo = Math.max(r.lo, rhs / coef);
  else if (!(rhs >= 0)) r.lo = Infinity;
};

const EMPTY: Interval = { lo: Infinity, hi: -Infinity };

/** { s : x − s·v ∈ p } for a polyhedron: the intersection of one interval per unit bound and per constraint. */
const polyhedronSegment = (p: Polyhedron, x: ArrayLike<number>, v: ArrayLike<number>, tol: number): Interval => {
  const r = { lo: -Infinity, hi: Infinity };
  for (let i = 0; i < x.length; i++) {
    const xi = x[i]!;
    const vi = v[i]!;
    if (!(Number.isFinite(xi) && Number.isFinite(vi))) return EMPTY;
    // x_i − s·v_i ≥ l − tol ⇔ s·v_i ≤ x_i − l + tol;  x_i − s·v_i ≤ h + tol ⇔ −s·v_i ≤ h + tol − x_i
    clip(r, vi, xi - at(p.low, i) + tol);
    clip(r, -vi, at(p.high, i) + tol - xi);
  }
  for (const c of p.constraints) {
    const ax = dot(c.a, x);
    const av = dot(c.a, v);
    const t = constraintTol(c, tol);
    // a·x − s·a·v ≤ c + t ⇔ −s·a·v ≤ c + t − a·x; with equality also ≥ c − t ⇔ s·a·v ≤ a·x − c + t
    clip(r, -av, c.c + t - ax);
    if (c.equal) clip(r, av, ax - c.c + t);
  }
  return r.lo > r.hi ? EMPTY : r;
};

/** What a polyhedron domain is made of; `sample` draws inside it (no generic sampler exists for polyhedra). */
export interface PolyhedronSpec extends Polyhedron {
  readonly _tag?: string;
  readonly name: string;
  readonly sample: (rng: T.Random.Rng, d: number) => Float64Array;
}

/** A domain from a polyhedron's description: membership and segment logic derived from it. */
export const polyhedron = (spec: PolyhedronSpec): Domain => {
  const p: Polyhedron = { low: spec.low, high: spec.high, constraints: spec.constraints };
  return {
    _tag: spec._tag ?? "Polyhedron",
    name: spec.name,
    firstOutside: (x, tol, from) => polyhedronOutside(p, x, tol, from),
    segment: (x, v, tol) => polyhedronSegment(p, x, v, tol),
    sample: spec.sample,
    polyhedron: p,
  };
};

/** Any convex set, declared by its membership test, segment logic and sampler. */
export const convex = (spec: Omit<Domain, "_tag" | "polyhedron"> & { readonly _tag?: string }): Domain => ({ ...spec, _tag: spec._tag ?? "Custom" });

const draw = (d: number, one: (i: number) => number): Float64Array => {
  const out = new Float64Array(d);
  for (let i = 0; i < d; i++) out[i] = one(i);
  return out;
};

/** A half-line sampler: U[0, 2], with exact zeros one time in ten (the boundary, where denominators vanish). */
const halfLine = (rng: T.Random.Rng): number => (rng.next() < 0.1 ? 0 : 2 * rng.next());

/** ℝᵈ: every finite vector (samples N(0, 1)). */
export const real: Domain = polyhedron({ _tag: "Real", name: "R^d", low: -Infinity, high: Infinity, constraints: [], sample: (rng, d) => draw(d, () => T.Random.normal(rng)) });

/** ℝ₊ᵈ = {x ≥ 0} (samples U[0, 2] with some exact zeros). */
export const nonNegative: Domain = polyhedron({ _tag: "NonNegative", name: "R+^d", low: 0, high: Infinity, constraints: [], sample: (rng, d) => draw(d, () => halfLine(rng)) });

/** ℝ₋ᵈ = {x ≤ 0} (samples −U[0, 2] with some exact zeros). */
export const nonPositive: Domain = polyhedron({ _tag: "NonPositive", name: "R-^d", low: -Infinity, high: 0, constraints: [], sample: (rng, d) => draw(d, () => -halfLine(rng)) });

const values = (b: Bound): number[] => (typeof b === "number" ? [b] : Array.from(b.data));
const showBound = (b: Bound, letter: string): string => (typeof b === "number" ? String(b) : letter);

/**
 * The box 𝓑 = { x : l_i ≤ x_i ≤ h_i }, bounds finite with l ≤ h (samples U[l, h]). It may exclude 0; the zᵇ-rule
 * additionally needs l ≤ 0 ≤ h (`zB` checks it).
 */
export const box = (low: Bound, high: Bound): E.Either<string, Domain> => {
  if (typeof low !== "number" && typeof high !== "number" && low.data.length !== high.data.length) {
    return E.left(`box: expected bounds of equal length, found ${low.data.length} and ${high.data.length}`);
  }
  const lows = values(low);
  const highs = values(high);
  const badLow = lows.findIndex((l) => !Number.isFinite(l));
  if (badLow >= 0) return E.left(`box: expected a finite low bound at every feature, found ${lows[badLow]} at feature ${badLow}`);
  const badHigh = highs.findIndex((h) => !Number.isFinite(h));
  if (badHigh >= 0) return E.left(`box: expected a finite high bound at every feature, found ${highs[badHigh]} at feature ${badHigh}`);
  const n = Math.max(lows.length, highs.length);
  const crossed = Array.from({ length: n }, (_, i) => i).find((i) => !(at(low, i) <= at(high, i)));
  if (crossed !== undefined) return E.left(`box: expected low ≤ high at every feature, found ${at(low, crossed)} > ${at(high, crossed)} at feature ${crossed}`);
  return E.right(
    polyhedron({
      _tag: "Box",
      name: `box [${showBound(low, "l")}, ${showBound(high, "h")}]`,
      low,
      high,
      constraints: [],
      sample: (rng, d) => draw(d, (i) => T.Random.uniform(rng, at(low, i), at(high, i))),
    }),
  );
};

/** The probability simplex { x ≥ 0, Σ_i x_i = 1 } (samples Dirichlet(1, …, 1): normalised exponentials). */
export const simplex: Domain = polyhedron({
  _tag: "Simplex",
  name: "simplex",
  low: 0,
  high: Infinity,
  constraints: [{ a: 1, c: 1, equal: true, label: "Σ_i x_i = 1" }],
  sample: (rng, d) => {
    const e = draw(d, () => -Math.log(1 - rng.next()));
    let s = 0;
    for (let i = 0; i < d; i++) s += e[i]!;
    for (let i = 0; i < d; i++) e[i] = s > 0 ? e[i]! / s : 1 / d;
    return e;
  },
});

/**
 * The half-space { x : a·x ≤ c } (samples N(0, 1) reflected into it). `a` is one coefficient for every unit or
 * one per unit, not all zero.
 */
export const halfSpace = (a: Bound, c: number): E.Either<string, Domain> => {
  const as = values(a);
  const bad = as.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) return E.left(`halfSpace: expected finite coefficients, found ${as[bad]} at feature ${bad}`);
  if (!Number.isFinite(c)) return E.left(`halfSpace: expected a finite bound c, found ${c}`);
  if (as.every((v) => v === 0)) return E.left("halfSpace: expected a non-zero normal a, found all zeros");
  const label = `${typeof a === "number" ? `${a}·Σ_i x_i` : "a·x"} ≤ ${c}`;
  return E.right(
    polyhedron({
      _tag: "HalfSpace",
      name: `half-space ${label}`,
      low: -Infinity,
      high: Infinity,
      constraints: [{ a, c, equal: false, label }],
      sample: (rng, d) => {
        const y = draw(d, () => T.Random.normal(rng));
        let ay = 0;
        let aa = 0;
        for (let i = 0; i < d; i++) {
          ay += at(a, i) * y[i]!;
          aa += at(a, i) ** 2;
        }
        // Reflect through the boundary a·x = c: the image of a point beyond it lies inside, as far from it.
        if (ay > c && aa > 0) for (let i = 0; i < d; i++) y[i] = y[i]! - (2 * (ay - c) / aa) * at(a, i);
        return y;
      },
    }),
  );
};

/**
 * The ball ‖x‖₂ ≤ r (samples uniform in the ball): a convex set that is no polyhedron, declared by its functions
 * through `convex`, like every other domain. Its segment solves ‖x − s·v‖² ≤ (r + tol)², a quadratic in s.
 */
export const ball = (r: number): E.Either<string, Domain> => {
  if (!(r > 0 && Number.isFinite(r))) return E.left(`ball: expected a finite radius r > 0, found ${r}`);
  const norm = (x: ArrayLike<number>): number => {
    let s = 0;
    for (let i = 0; i < x.length; i++) s += x[i]! ** 2;
    return Math.sqrt(s);
  };
  return E.right(
    convex({
      _tag: "Ball",
      name: `ball ‖x‖ ≤ ${r}`,
      firstOutside: (x, tol, from) => {
        for (let i = from; i < x.length; i++) if (!Number.isFinite(x[i]!)) return { index: i, unit: i, value: x[i]!, expected: "a finite number" };
        const n = norm(x);
        return from <= x.length && !(n <= r + tol) ? { index: x.length, unit: -1, value: n, expected: `‖x‖ ≤ ${r}` } : undefined;
      },
      segment: (x, v, tol) => {
        let a = 0;
        let b = 0;
        let c = -((r + tol) ** 2);
        for (let i = 0; i < x.length; i++) {
          a += v[i]! ** 2;
          b -= 2 * x[i]! * v[i]!;
          c += x[i]! ** 2;
        }
        if (!(Number.isFinite(a) && Number.isFinite(b) && Number.isFinite(c))) return EMPTY;
        if (a === 0) return c <= 0 ? { lo: -Infinity, hi: Infinity } : EMPTY;
        const disc = b * b - 4 * a * c;
        if (!(disc >= 0)) return EMPTY;
        return { lo: (-b - Math.sqrt(disc)) / (2 * a), hi: (-b + Math.sqrt(disc)) / (2 * a) };
      },
      sample: (rng, d) => {
        const y = draw(d, () => T.Random.normal(rng));
        const scale = (r * rng.next() ** (1 / d)) / (norm(y) || 1);
        return y.map((v) => v * scale);
      },
    }),
  );
};

/** The first unit (or constraint) of one sample outside the domain (with tolerance), or undefined; resumes at `from`. */
export const firstOutside = (domain: Domain, x: ArrayLike<number>, tol = 0, from = 0): Outside | undefined => domain.firstOutside(x, tol, from);

/** True when a sample lies in the domain (with tolerance). */
export const contains = (domain: Domain, x: ArrayLike<number>, tol = 0): boolean => domain.firstOutside(x, tol, 0) === undefined;

/** A short description: "R^d", "R+^d", "box [l, h]". */
export const show = (domain: Domain): string => domain.name;

/** The largest finite magnitude among a domain's bounds and constraint bounds (1 at least): the scale of its boundary. */
export const scaleOf = (domain: Domain): number => {
  let scale = 1;
  const p = domain.polyhedron;
  if (p === undefined) return scale;
  const take = (v: number) => {
    if (Number.isFinite(v)) scale = Math.max(scale, Math.abs(v));
  };
  for (const b of [p.low, p.high]) values(b).forEach(take);
  p.constraints.forEach((c) => take(c.c));
  return scale;
};

/** The tensors of a domain that must hold one value per unit of the layer input: bounds and coefficients given per unit. */
export const sizedParts = (domain: Domain): [string, Bound][] => {
  const p = domain.polyhedron;
  if (p === undefined) return [];
  const whose = domain._tag === "Box" ? "the box's" : "the domain's";
  return [
    [`${whose} low bound`, p.low] as [string, Bound],
    [`${whose} high bound`, p.high] as [string, Bound],
    ...p.constraints.map((c): [string, Bound] => [`the coefficients of the constraint ${c.label}`, c.a]),
  ];
};
