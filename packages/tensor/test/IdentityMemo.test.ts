import { describe, expect, test } from "vitest";
import { IdentityMemo } from "@dtd/tensor/unsafe";

describe("IdentityMemo", () => {
  test("a slot is computed once per token; another token recomputes and replaces it; slots and owners are apart", () => {
    const memo = IdentityMemo.make<object, number>();
    const owner = {};
    const other = {};
    let calls = 0;
    const make = (v: number) => () => (calls++, v);
    expect(memo.get(owner, "s", "t1", make(1))).toBe(1);
    expect(memo.get(owner, "s", "t1", make(99))).toBe(1);
    expect(calls).toBe(1);
    expect(memo.get(owner, "s", "t2", make(2))).toBe(2);
    // The slot holds one token's value: t1 is gone.
    expect(memo.peek(owner, "s", "t1")).toBeUndefined();
    expect(memo.get(owner, "u", "t1", make(3))).toBe(3);
    expect(memo.peek(other, "s", "t2")).toBeUndefined();
    expect([...memo.valuesOf(owner)].sort()).toEqual([2, 3]);
    memo.forget(owner);
    expect(memo.peek(owner, "s", "t2")).toBeUndefined();
    expect(memo.valuesOf(owner)).toEqual([]);
    memo.set(owner, "s", "t3", 4);
    expect(memo.get(owner, "s", "t3", make(5))).toBe(4);
    expect(calls).toBe(3);
  });

  test("identity, not contents: an equal array is another owner", () => {
    const memo = IdentityMemo.make<Float64Array, string>();
    const a = new Float64Array([1, 2]);
    memo.set(a, "s", "", "a");
    expect(memo.peek(new Float64Array([1, 2]), "s", "")).toBeUndefined();
    expect(memo.peek(a, "s", "")).toBe("a");
  });

  test("idOf: the same number for the same object, different ones for different objects", () => {
    const a = {};
    const b = {};
    expect(IdentityMemo.idOf(a)).toBe(IdentityMemo.idOf(a));
    expect(IdentityMemo.idOf(a)).not.toBe(IdentityMemo.idOf(b));
  });
});
