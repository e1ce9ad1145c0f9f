/**
 * Values derived from objects that never change — tensor data (immutable by contract, docs/kernels.md), layers,
 * models, rule selectors — remembered by the object's identity instead of recomputed: the one cache scheme of the
 * kernels and the packages above them (gemm's packed A, the thin products' resident matrices, autodiff's max-pool
 * winners, deep-taylor's per-layer derivations).
 *
 * Each owner has named slots; a slot holds one value together with the token it was computed for (what else it
 * depends on: a window size, a dtype, the id of a derived tensor), and a lookup with another token recomputes and
 * replaces it, so a memo never answers for inputs it was not computed from and never piles up entries for a
 * sweep of tokens. Owners are held weakly: what was derived from an object goes with it.
 *
 * Sound only while owners do not change: an owner written in place must be `forget`-ed, and kernels never keep
 * anything derived from a buffer the caller marks as scratch (gemm's Lifetime).
 * @module
 */

/** The memo (see the module comment). */
export interface IdentityMemo<K extends object, V> {
  /** The value of `owner`'s `slot` if it was computed for `token`, else `make()`, stored there (replacing any other). */
  readonly get: (owner: K, slot: string, token: string, make: () => V) => V;
  /** The value of `owner`'s `slot` if it was computed for `token`, else undefined. */
  readonly peek: (owner: K, slot: string, token: string) => V | undefined;
  /** Stores `value` as `owner`'s `slot` for `token`. */
  readonly set: (owner: K, slot: string, token: string, value: V) => void;
  /** The values held for `owner`, whatever their slots and tokens. */
  readonly valuesOf: (owner: K) => readonly V[];
  /** Forgets everything derived from `owner` (after an in-place write). */
  readonly forget: (owner: K) => void;
}

interface Slot<V> {
  readonly token: string;
  readonly value: V;
}

/** An empty memo. */
export const make = <K extends object, V>(): IdentityMemo<K, V> => {
  const owners = new WeakMap<K, Map<string, Slot<V>>>();
  const slotsOf = (owner: K): Map<string, Slot<V>> => {
    let m = owners.get(owner);
    if (m === undefined) {
      m = new Map();
      owners.set(owner, m);
    }
    return m;
  };
  const peek = (owner: K, slot: string, token: string): V | undefined => {
    const s = owners.get(owner)?.get(slot);
    return s !== undefined && s.token === token ? s.value : undefined;
  };
  const set = (owner: K, slot: string, token: string, value: V): void => void slotsOf(owner).set(slot, { token, value });
  const get = (owner: K, slot: string, token: string, make: () => V): V => {
    const s = owners.get(owner)?.get(slot);
    if (s !== undefined && s.token === token) return s.value;
    const value = make();
    set(owner, slot, token, value);
    return value;
  };
  const valuesOf = (owner: K): readonly V[] => [...(owners.get(owner)?.values() ?? [])].map((s) => s.value);
  return { get, peek, set, valuesOf, forget: (owner) => void owners.delete(owner) };
};

const ids = new WeakMap<object, number>();
let nextId = 0;

/**
 * A number naming `o` for as long as it lives (1, 2, …, never reused), for tokens that depend on another object's
 * identity: `${idOf(W)}` says "computed from this very W".
 */
export const idOf = (o: object): number => {
  let id = ids.get(o);
  if (id === undefined) {
    id = ++nextId;
    ids.set(o, id);
  }
  return id;
};
