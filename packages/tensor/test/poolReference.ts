/**
 * Naive pooling oracles for the tests, from the definitions: for each output (n, c, u, v) the window is
 * {(u·sh − pt + i, v·sw − pl + j) : i < kh, j < kw}, its members outside the input left out (max pooling's padding
 * acts as −∞); max pooling picks the first maximum in row-major window order.
 */
export interface PoolGeo {
  readonly n: number;
  readonly c: number;
  readonly h: number;
  readonly w: number;
  readonly kh: number;
  readonly kw: number;
  readonly sh: number;
  readonly sw: number;
  /** Max pooling's padding (default 0): top, bottom, left, right. */
  readonly pt?: number;
  readonly pb?: number;
  readonly pl?: number;
  readonly pr?: number;
}

export const pooledSize = (g: PoolGeo): [number, number] => [
  Math.floor((g.h + (g.pt ?? 0) + (g.pb ?? 0) - g.kh) / g.sh) + 1,
  Math.floor((g.w + (g.pl ?? 0) + (g.pr ?? 0) - g.kw) / g.sw) + 1,
];

/** Calls `visit(windowIndex, inputIndex)` for every (window, member) pair, windows and members in row-major order. */
const eachMember = (g: PoolGeo, visit: (yi: number, xi: number) => void): void => {
  const [oh, ow] = pooledSize(g);
  for (let n = 0; n < g.n; n++)
    for (let c = 0; c < g.c; c++)
      for (let u = 0; u < oh; u++)
        for (let v = 0; v < ow; v++)
          for (let i = 0; i < g.kh; i++)
            for (let j = 0; j < g.kw; j++) {
              const yi = ((n * g.c + c) * oh + u) * ow + v;
              const r = u * g.sh - (g.pt ?? 0) + i;
              const q = v * g.sw - (g.pl ?? 0) + j;
              if (r >= 0 && r < g.h && q >= 0 && q < g.w) visit(yi, ((n * g.c + c) * g.h + r) * g.w + q);
            }
};

const outLength = (g: PoolGeo): number => {
  const [oh, ow] = pooledSize(g);
  return g.n * g.c * oh * ow;
};

export const maxPoolRef = (x: ArrayLike<number>, g: PoolGeo): { y: Float64Array; argmax: Int32Array } => {
  const y = new Float64Array(outLength(g)).fill(-Infinity);
  const argmax = new Int32Array(outLength(g)).fill(-1);
  eachMember(g, (yi, xi) => {
    if (argmax[yi] === -1 || x[xi]! > y[yi]!) {
      y[yi] = x[xi]!;
      argmax[yi] = xi;
    }
  });
  return { y, argmax };
};

export const sumPoolRef = (x: ArrayLike<number>, g: PoolGeo): Float64Array => {
  const y = new Float64Array(outLength(g));
  eachMember(g, (yi, xi) => {
    y[yi] = y[yi]! + x[xi]!;
  });
  return y;
};

export const sumPoolTransposeRef = (dy: ArrayLike<number>, g: PoolGeo): Float64Array => {
  const dx = new Float64Array(g.n * g.c * g.h * g.w);
  eachMember(g, (yi, xi) => {
    dx[xi] = dx[xi]! + dy[yi]!;
  });
  return dx;
};
