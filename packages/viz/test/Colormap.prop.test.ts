import fc from "fast-check";
import { expect, test } from "vitest";
import { Color, Colormap } from "@dtd/viz";

const scale = fc.double({ min: 1e-6, max: 1e6, noNaN: true });
const unit = fc.double({ min: 0, max: 2, noNaN: true });

test("diverging map is exactly symmetric: colour(−v) = colour(v) with red and blue swapped", () => {
  fc.assert(
    fc.property(scale, unit, (s, u) => {
      const v = u * s;
      if (v === 0) return;
      for (const map of [Colormap.seismic, Colormap.bwr]) {
        expect(Colormap.diverging(map, -v, s)).toEqual(Color.swapRedBlue(Colormap.diverging(map, v, s)));
      }
    }),
  );
});

test("seismic: the green channel never increases and red stays 255 up to half scale, then darkens", () => {
  fc.assert(
    fc.property(scale, unit, unit, (s, a, b) => {
      const [u1, u2] = a <= b ? [a, b] : [b, a];
      const c1 = Colormap.diverging(Colormap.seismic, u1 * s, s);
      const c2 = Colormap.diverging(Colormap.seismic, u2 * s, s);
      expect(c2.g).toBeLessThanOrEqual(c1.g);
      expect(c2.b).toBeLessThanOrEqual(c1.b);
      expect(c2.r).toBeLessThanOrEqual(c1.r);
      if (u2 <= 0.5) expect(c2.r).toBe(255);
      if (u1 >= 0.5) expect(c1.g).toBe(0);
    }),
  );
});
