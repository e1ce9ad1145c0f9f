import { describe, expect, test } from "vitest";
import { expectAllClose } from "@dtd/tensor/testing";
import { Ticks } from "@dtd/viz";

describe("Ticks", () => {
  test("niceStep rounds up to 1, 2 or 5 times a power of ten", () => {
    expectAllClose([0.3, 1, 1.1, 2, 3, 7, 42, 0.00013].map(Ticks.niceStep), [0.5, 1, 2, 2, 5, 10, 50, 0.0002]);
  });
  test("roundStep picks the nearest 1-2-5 step", () => {
    expectAllClose([0.022, 1.4, 1.6, 2.9, 3.1, 6.9, 7.1].map(Ticks.roundStep), [0.02, 1, 2, 2, 5, 5, 10]);
  });
  test("ticks widen the domain to multiples of the step", () => {
    const t = Ticks.ticks(0.3, 4.7);
    expect(t.step).toBe(1);
    expect(t.values).toEqual([0, 1, 2, 3, 4, 5]);
    expect([t.lo, t.hi]).toEqual([0, 5]);
  });
  test("decimal steps give clean values (no 0.30000000000000004)", () => {
    const t = Ticks.ticks(-0.07, 0.04);
    expect(t.values).toEqual([-0.08, -0.06, -0.04, -0.02, 0, 0.02, 0.04]);
    expect(Ticks.ticks(0, 1).values).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
  });
  test("integer ticks never step below 1", () => {
    expect(Ticks.ticks(0, 3, 5, true).values).toEqual([0, 1, 2, 3]);
  });
  test("a degenerate domain is widened", () => {
    expect(Ticks.ticks(0, 0).values).toEqual([-0.6, -0.4, -0.2, 0, 0.2, 0.4, 0.6]);
    const t = Ticks.ticks(100, 100);
    expect(t.lo).toBeLessThan(100);
    expect(t.hi).toBeGreaterThan(100);
  });
  test("format prints the step's decimals, or scientific notation for extreme magnitudes", () => {
    expect(Ticks.format(0.1, 0.05)).toBe("0.10");
    expect(Ticks.format(-0.5, 0.5)).toBe("-0.5");
    expect(Ticks.format(300, 100)).toBe("300");
    expect(Ticks.format(-0, 1)).toBe("0");
    expect(Ticks.format(1.5e-5, 5e-6)).toBe("1.5e-5");
    expect(Ticks.format(2e7, 1e7)).toBe("2e+7");
    expect(Ticks.formatValue(0.123456)).toBe("0.123");
    expect(Ticks.formatValue(2345)).toBe("2350");
  });
  test("refuses a reversed domain", () => {
    expect(() => Ticks.ticks(1, 0)).toThrow(/finite domain with lo <= hi, found \[1, 0\]/);
  });
});
