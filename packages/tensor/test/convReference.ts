/**
 * Naive convolution oracles for the tests, written straight from the definitions with one loop per index and an
 * explicit bounds test — no im2col, no shared code with the kernels:
 *
 *   y[n, o, u, v]  = Σ_{c,i,j} w[o, c, i, j] · x[n, c, u·sh − ph + i, v·sw − pw + j]
 *   dx[n, c, y, z] = Σ_{o,u,v,i,j : u·sh − ph + i = y, v·sw − pw + j = z} w[o, c, i, j] · dy[n, o, u, v]
 *   dw[o, c, i, j] = Σ_{n,u,v} dy[n, o, u, v] · x[n, c, u·sh − ph + i, v·sw − pw + j]
 */
export interface Geo {
  readonly n: number;
  readonly c: number;
  readonly h: number;
  readonly w: number;
  readonly o: number;
  readonly kh: number;
  readonly kw: number;
  readonly sh: number;
  readonly sw: number;
  readonly ph: number;
  readonly pw: number;
}

export const outSize = (g: Geo): [number, number] => [
  Math.floor((g.h + 2 * g.ph - g.kh) / g.sh) + 1,
  Math.floor((g.w + 2 * g.pw - g.kw) / g.sw) + 1,
];

type Visit = (xi: number, wi: number, yi: number) => void;

/** Calls `visit` with the flat x, w and y indices of every product term of the convolution. */
const eachTerm = (g: Geo, visit: Visit): void => {
  const [oh, ow] = outSize(g);
  for (let n = 0; n < g.n; n++)
    for (let o = 0; o < g.o; o++)
      for (let u = 0; u < oh; u++)
        for (let v = 0; v < ow; v++)
          for (let c = 0; c < g.c; c++)
            for (let i = 0; i < g.kh; i++)
              for (let j = 0; j < g.kw; j++) {
                const y = u * g.sh - g.ph + i;
                const z = v * g.sw - g.pw + j;
                if (y < 0 || y >= g.h || z < 0 || z >= g.w) continue;
                visit(((n * g.c + c) * g.h + y) * g.w + z, ((o * g.c + c) * g.kh + i) * g.kw + j, ((n * g.o + o) * oh + u) * ow + v);
              }
};

export const convRef = (x: ArrayLike<number>, w: ArrayLike<number>, g: Geo): Float64Array => {
  const [oh, ow] = outSize(g);
  const y = new Float64Array(g.n * g.o * oh * ow);
  eachTerm(g, (xi, wi, yi) => {
    y[yi] = y[yi]! + w[wi]! * x[xi]!;
  });
  return y;
};

export const backpropInputRef = (dy: ArrayLike<number>, w: ArrayLike<number>, g: Geo): Float64Array => {
  const dx = new Float64Array(g.n * g.c * g.h * g.w);
  eachTerm(g, (xi, wi, yi) => {
    dx[xi] = dx[xi]! + w[wi]! * dy[yi]!;
  });
  return dx;
};

export const backpropFilterRef = (x: ArrayLike<number>, dy: ArrayLike<number>, g: Geo): Float64Array => {
  const dw = new Float64Array(g.o * g.c * g.kh * g.kw);
  eachTerm(g, (xi, wi, yi) => {
    dw[wi] = dw[wi]! + dy[yi]! * x[xi]!;
  });
  return dw;
};

export const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};
