/**
 * "Nice" axis ticks: steps of 1, 2 or 5 times a power of ten (Heckbert, "Nice numbers for graph labels",
 * Graphics Gems, 1990), and tick labels printed with exactly the decimals the step needs.
 * Pure: no Node API.
 * @module
 */
import { invalid } from "./VizError.ts";

/** Ticks covering a domain: the domain widened to multiples of `step`, and the tick values in it. */
export interface Ticks {
  readonly lo: number;
  readonly hi: number;
  readonly step: number;
  readonly values: readonly number[];
}

/** The smallest 1-2-5 step (1, 2 or 5 times a power of ten) that is ≥ raw. */
export const niceStep = (raw: number): number => {
  if (!Number.isFinite(raw) || raw <= 0) return invalid("Ticks.niceStep", "a finite step > 0", String(raw));
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  // m is in [1, 10); tolerate rounding noise in raw / p so that exact powers do not jump a step.
  const k = m <= 1 + 1e-9 ? 1 : m <= 2 + 1e-9 ? 2 : m <= 5 + 1e-9 ? 5 : 10;
  return k * p;
};

/** The 1-2-5 step nearest to raw (Heckbert's rounding: mantissa < 1.5 → 1, < 3 → 2, < 7 → 5, else 10). */
export const roundStep = (raw: number): number => {
  if (!Number.isFinite(raw) || raw <= 0) return invalid("Ticks.roundStep", "a finite step > 0", String(raw));
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  const k = m < 1.5 ? 1 : m < 3 ? 2 : m < 7 ? 5 : 10;
  return k * p;
};

/** Decimal places that print every multiple of `step` exactly (0 for steps ≥ 1). */
export const decimals = (step: number): number => Math.max(0, -Math.floor(Math.log10(step) + 1e-9));

/**
 * Ticks for [lo, hi] with about `target` intervals: step = roundStep((hi − lo) / target); the domain is widened to
 * [⌊lo/step⌋·step, ⌈hi/step⌉·step]. A degenerate domain (lo = hi) is widened to lo ± max(|lo|/10, 1)/2 first.
 * `integer` forces steps ≥ 1 (for counts).
 */
export const ticks = (lo: number, hi: number, target = 5, integer = false): Ticks => {
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || lo > hi) invalid("Ticks.ticks", "a finite domain with lo <= hi", `[${lo}, ${hi}]`);
  if (!Number.isInteger(target) || target < 1) invalid("Ticks.ticks", "a target interval count >= 1", String(target));
  if (lo === hi) {
    const h = Math.max(Math.abs(lo) / 10, 1) / 2;
    lo -= h;
    hi += h;
  }
  let step = roundStep((hi - lo) / target);
  if (integer && step < 1) step = 1;
  const kLo = Math.floor(lo / step + 1e-9);
  const kHi = Math.ceil(hi / step - 1e-9);
  const dp = decimals(step);
  const clean = (v: number): number => {
    const r = Number(v.toFixed(Math.min(dp, 20)));
    return r === 0 ? 0 : r; // no −0
  };
  const values: number[] = [];
  for (let k = kLo; k <= kHi; k++) values.push(clean(k * step));
  return { lo: values[0]!, hi: values[values.length - 1]!, step, values };
};

/**
 * A tick label: fixed-point with the decimals of `step` ("0.25", "-1.5", "300"), or scientific notation
 * ("1.5e-6", "2e+8") when the numbers are very small or very large. Never prints "-0".
 */
export const format = (v: number, step: number): string => {
  if (v === 0 || Object.is(v, -0)) return "0";
  const mag = Math.abs(v);
  if (mag >= 1e6 || step < 1e-4) {
    const digits = Math.max(0, Math.min(6, Math.floor(Math.log10(mag)) - Math.floor(Math.log10(step) + 1e-9)));
    const [mant, exp] = v.toExponential(digits).split("e");
    const m = mant!.includes(".") ? mant!.replace(/0+$/, "").replace(/\.$/, "") : mant!;
    return `${m}e${exp}`;
  }
  return v.toFixed(decimals(step));
};

/** A compact label for a single value (3 significant digits, no trailing zeros): "0.125", "1.5e-5", "2300". */
export const formatValue = (v: number): string => {
  if (v === 0) return "0";
  const mag = Math.abs(v);
  if (mag >= 1e6 || mag < 1e-3) return format(v, 10 ** (Math.floor(Math.log10(mag)) - 2));
  return String(Number(v.toPrecision(3)));
};
