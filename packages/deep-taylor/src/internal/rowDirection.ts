/**
 * A strategy's direction evaluated neuron by neuron at one sample, on the units each neuron reads (its sparse
 * Jacobian row, `L.fillRow`): v⁽ʲ⁾ for the roots (eq. 3) and the numerators q_ij = v_ij·w_ij of eq. (4). The
 * common ground of the naive eq. (4) (the oracle, for every affine layer) and of verifyRoots.
 *
 * For a split direction v_ij = Σ_t a_t(x)_i·g_t(w_ij) the modifiers a_t(x) are computed once per sample. Off a
 * neuron's row w_ij = 0, so v_ij = Σ_t a_t(x)_i·g_t(0) =: v⁰_i (modified-weight terms contribute 0 there: a
 * neuron's modified weights vanish outside its kernel window), the same for every neuron. Materialised directions
 * give v on the row only and do not move the other units (v⁰ = 0). Units held fixed (the zeros a pad2d node adds)
 * never move: every modifier is 0 there.
 * @module
 */
import * as T from "@dtd/tensor";
import * as L from "@dtd/layers";
import { type DirectionContext, modifierValue, modifiedWeightAt, type NeuronRow, selectorAt, type Strategy, type WeightSelector } from "../Strategy.ts";

/** The direction of one strategy at one sample. */
export interface RowDirection {
  /** v⁽ʲ⁾ on the row's support: out[k] = v_ij for unit row.index[k]. */
  readonly v: (row: NeuronRow, out: Float64Array) => void;
  /** The numerators of eq. (4) on the row's support: out[k] = q_ij = v_ij·w_ij (the modified weight times a_t). */
  readonly q: (row: NeuronRow, out: Float64Array) => void;
  /** v off every row (length d); undefined for a Dense layer, whose rows read every unit. */
  readonly v0: Float64Array | undefined;
}

/** A thrown error of a materialised direction returning the wrong number of values (a RuleDoesNotFit at the boundary). */
const wrongLength = (name: string, j: number, expected: number, found: number): never =>
  T.fail({ _tag: "LengthMismatch", op: `the direction of rule "${name}" at neuron ${j} (one value per unit it reads)`, expected, found });

/**
 * The direction of `strategy` for `layer` (per-sample input shape `inputShape`) at one sample `x` (flat), with
 * `fixed` (1 where a unit is a constant, flat) when the layer reads padding.
 */
export const rowDirection = (strategy: Strategy, layer: L.Affine, inputShape: readonly number[], x: Float64Array, fixed?: ArrayLike<number>): RowDirection => {
  const d = x.length;
  const direction = strategy.direction;
  const dense = layer.kind === "dense";
  const moves = (i: number): boolean => fixed === undefined || fixed[i] !== 1;
  if (direction._tag === "Materialized") {
    const V = direction.v(x, layer.W).data; // [in, out]: Dense only (ruleProblem refuses the rest)
    const nOut = layer.W.shape[1]!;
    const v = (row: NeuronRow, out: Float64Array) => {
      for (let k = 0; k < row.length; k++) out[k] = moves(row.index[k]!) ? V[row.index[k]! * nOut + row.j]! : 0;
    };
    return { v, q: timesWeight(v), v0: undefined };
  }
  if (direction._tag === "PerNeuron") {
    const v = (row: NeuronRow, out: Float64Array) => {
      const got = direction.v(x, row, inputShape);
      if (got.length !== row.length) wrongLength(strategy.name, row.j, row.length, got.length);
      for (let k = 0; k < row.length; k++) out[k] = moves(row.index[k]!) ? got[k]! : 0;
    };
    return { v, q: timesWeight(v), v0: dense ? undefined : new Float64Array(d) };
  }
  const ctx: DirectionContext = { domain: strategy.domain };
  const batch = T.reshape(T.of(x, [d]), [1, ...inputShape]);
  // a_t(x) per term as d values, 0 at fixed units (a constant is spread out once, so the loops stay monomorphic).
  const a: Float64Array[] = direction.terms.map((t) => {
    const raw = modifierValue(t.input, batch, ctx);
    const values = typeof raw === "number" ? new Float64Array(d).fill(raw) : Float64Array.from(T.broadcastTo(T.astype(raw, "float64"), batch.shape).data);
    if (fixed !== undefined) for (let i = 0; i < d; i++) if (fixed[i] === 1) values[i] = 0;
    return values;
  });
  const g: WeightSelector[] = direction.terms.map((t) => t.weight);
  /**
   * Σ_t a_t(x)_i·f(g_t, w_ij) on the row: f is v's factor (selectorAt) or the modified weight (modifiedWeightAt). A sign mask
   * is three numbers, so its loop makes no call per weight (the hot path of verifyRoots on large convolutions).
   */
  const fill = (times: boolean, f: (g: WeightSelector, w: number) => number) => (row: NeuronRow, out: Float64Array) => {
    const n = row.length;
    out.fill(0, 0, n);
    for (let t = 0; t < a.length; t++) {
      const at = a[t]!;
      const sel = g[t]!;
      if (sel._tag !== "SignMask") {
        for (let k = 0; k < n; k++) out[k] = out[k]! + at[row.index[k]!]! * f(sel, row.weight[k]!);
        continue;
      }
      const { positive, negative, zero } = sel;
      if (times) {
        for (let k = 0; k < n; k++) {
          const w = row.weight[k]!;
          const gw = w > 0 ? positive : w < 0 ? negative : zero;
          if (gw !== 0) out[k] = out[k]! + at[row.index[k]!]! * gw * w;
        }
      } else {
        for (let k = 0; k < n; k++) {
          const w = row.weight[k]!;
          const gw = w > 0 ? positive : w < 0 ? negative : zero;
          if (gw !== 0) out[k] = out[k]! + at[row.index[k]!]! * gw;
        }
      }
    }
  };
  let v0: Float64Array | undefined;
  if (!dense) {
    v0 = new Float64Array(d);
    for (let t = 0; t < a.length; t++) {
      const g0 = g[t]!._tag === "Modified" ? 0 : selectorAt(g[t]!, 0);
      if (g0 !== 0) for (let i = 0; i < d; i++) v0[i] = v0[i]! + a[t]![i]! * g0;
    }
  }
  return { v: fill(false, selectorAt), q: fill(true, modifiedWeightAt), v0 };
};

/** q = v·w on the row, from a v filler. */
const timesWeight = (v: (row: NeuronRow, out: Float64Array) => void) => (row: NeuronRow, out: Float64Array) => {
  v(row, out);
  for (let k = 0; k < row.length; k++) out[k] = out[k]! * row.weight[k]!;
};

/** v⁽ʲ⁾ over every unit (length d): v on the row, v⁰ (or 0) elsewhere. */
export const fullDirection = (dir: RowDirection, row: NeuronRow, d: number, scratch: Float64Array): Float64Array => {
  const out = dir.v0 === undefined ? new Float64Array(d) : Float64Array.from(dir.v0);
  dir.v(row, scratch);
  for (let k = 0; k < row.length; k++) out[row.index[k]!] = scratch[k]!;
  return out;
};
