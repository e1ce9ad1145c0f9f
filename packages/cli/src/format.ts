/**
 * Numbers and positions for human-readable reports. Machine-readable output never goes through here: JSON keeps
 * every float64 digit (JSON.stringify of a double is round-trip exact).
 * @module
 */

/** A number for a report: 6 significant digits, exponent notation for the tiny and the huge. */
export const num = (v: number): string => {
  if (v === 0 || !Number.isFinite(v)) return String(v === 0 ? 0 : v);
  const a = Math.abs(v);
  return a < 1e-4 || a >= 1e7 ? v.toExponential(3) : String(Number(v.toPrecision(6)));
};

/** A share as a percentage with one decimal. */
export const percent = (part: number, whole: number): string => (whole === 0 ? "–" : `${((part / whole) * 100).toFixed(1)}%`); // part / whole first: 100·part can overflow

/** The multi-index of flat index `p` in a row-major shape, e.g. [0, 3, 17] in [1, 28, 56]. */
export const unravel = (p: number, shape: readonly number[]): number[] => {
  const idx = new Array<number>(shape.length).fill(0);
  let rest = p;
  for (let k = shape.length - 1; k >= 0; k--) {
    const n = shape[k]!;
    idx[k] = rest % n;
    rest = Math.floor(rest / n);
  }
  return idx;
};

/** Indices of the k largest values, largest first (ties: lower index first). */
export const topK = (values: ArrayLike<number>, k: number): number[] =>
  Array.from({ length: values.length }, (_, i) => i)
    .sort((a, b) => values[b]! - values[a]! || a - b)
    .slice(0, k);

/** Rows of cells as left-aligned columns separated by two spaces. */
export const table = (rows: readonly (readonly string[])[], indent = "  "): string[] => {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => indent + r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  "));
};
