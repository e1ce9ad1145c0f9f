/**
 * Seeded pseudo-random numbers: the same seed gives the same stream on every platform, bit for bit.
 *
 * The generator is xoshiro128** (Blackman & Vigna), seeded through splitmix32. A `Rng` is a stateful stream;
 * `fork` derives an independent stream so that adding draws in one place does not shift another.
 * @module
 */
import { alloc, type DType } from "./DType.ts";
import * as Shape from "./Shape.ts";
import type { Tensor } from "./Tensor.ts";

/** A seeded stream of uniform numbers in [0, 1). */
export interface Rng {
  /** Next uniform number in [0, 1) with 32 random bits. */
  readonly next: () => number;
  /** Next unsigned 32-bit integer. */
  readonly nextUint32: () => number;
  /** A new independent stream derived from this one (consumes one draw). */
  readonly fork: () => Rng;
}

const splitmix32 = (seed: number): (() => number) => {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
};

/** A generator seeded with an integer (every JS number is reduced to 32 bits). */
export const make = (seed: number): Rng => {
  const sm = splitmix32(Math.floor(seed) ^ Math.floor(seed / 0x100000000));
  let a = sm(), b = sm(), c = sm(), d = sm();
  if ((a | b | c | d) === 0) a = 1;
  const nextUint32 = (): number => {
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result;
  };
  const next = (): number => nextUint32() / 4294967296;
  return { next, nextUint32, fork: () => make(nextUint32()) };
};

const rotl = (x: number, k: number): number => (x << k) | (x >>> (32 - k));

/** A uniform number in [lo, hi). */
export const uniform = (rng: Rng, lo = 0, hi = 1): number => lo + (hi - lo) * rng.next();

/** An integer in [0, n). */
export const int = (rng: Rng, n: number): number => Math.floor(rng.next() * n);

/** A standard normal number (Box–Muller). */
export const normal = (rng: Rng): number => {
  let u = rng.next();
  while (u === 0) u = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
};

/** A permutation of 0..n-1 (Fisher–Yates). */
export const permutation = (rng: Rng, n: number): Int32Array => {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = int(rng, i + 1);
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
};

/** A tensor of uniform numbers in [lo, hi). */
export const uniformTensor = <S extends Shape.Shape, D extends DType = "float64">(
  rng: Rng,
  shape: S,
  lo = 0,
  hi = 1,
  dtype?: D,
): Tensor<S, D> => {
  const dt = (dtype ?? "float64") as D;
  const data = alloc(dt, Shape.size(shape));
  for (let i = 0; i < data.length; i++) data[i] = lo + (hi - lo) * rng.next();
  return { dtype: dt, shape, data };
};

/** A tensor of normal numbers with the given mean and standard deviation. */
export const normalTensor = <S extends Shape.Shape, D extends DType = "float64">(
  rng: Rng,
  shape: S,
  mean = 0,
  std = 1,
  dtype?: D,
): Tensor<S, D> => {
  const dt = (dtype ?? "float64") as D;
  const data = alloc(dt, Shape.size(shape));
  for (let i = 0; i < data.length; i++) data[i] = mean + std * normal(rng);
  return { dtype: dt, shape, data };
};
