import type { Rng } from '../../random/index.js';

/**
 * Gaussian-process regression with a Matérn-5/2 ARD kernel and a learned noise term (Rasmussen & Williams
 * 2006, Alg. 2.1): inputs scaled to [0, 1], outputs standardized, hyperparameters by maximizing the log
 * marginal likelihood with a multi-start Nelder–Mead in log space (length scales in [0.01, 100] as in
 * scikit-optimize, signal variance in [0.01, 100], noise variance in [1e-6, 1]).
 */
export class GaussianProcess {
  /** log length scales (d), log signal variance, log noise variance. */
  theta: number[];
  #x: number[][] = [];
  #yMean = 0;
  #ySd = 1;
  #L: Float64Array = new Float64Array(0);
  #alpha: Float64Array = new Float64Array(0);
  #n = 0;

  constructor(
    readonly dims: number,
    theta?: number[],
  ) {
    this.theta = theta ?? [...Array.from({ length: dims }, () => Math.log(0.5)), 0, Math.log(1e-2)];
  }

  /**
   * Fits the hyperparameters and conditions on (x, y). `effort` 'full' runs Nelder–Mead from the previous
   * hyperparameters, a default and a random start; 'warm' only refines the previous ones (cheaper, for
   * refits between full ones); 'none' keeps them.
   */
  fit(
    x: readonly number[][],
    y: readonly number[],
    rng: Rng,
    effort: 'full' | 'warm' | 'none' = 'full',
  ): void {
    this.#x = x.map((r) => [...r]);
    const n = y.length;
    const mean = y.reduce((a, b) => a + b, 0) / n;
    const sd = Math.sqrt(y.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, n - 1));
    this.#yMean = mean;
    this.#ySd = sd > 1e-12 ? sd : 1;
    const ys = y.map((v) => (v - this.#yMean) / this.#ySd);
    if (effort !== 'none' && n >= 2) {
      const d = this.dims;
      const lo = [...Array.from({ length: d }, () => Math.log(0.01)), Math.log(0.01), Math.log(1e-6)];
      const hi = [...Array.from({ length: d }, () => Math.log(100)), Math.log(100), Math.log(1)];
      const clip = (t: number[]) => t.map((v, i) => Math.min(hi[i]!, Math.max(lo[i]!, v)));
      const nll = (t: number[]) => this.#negLogLik(clip(t), ys);
      const starts =
        effort === 'full'
          ? [
              this.theta,
              [...Array.from({ length: d }, () => Math.log(0.3)), 0, Math.log(1e-2)],
              lo.map((l, i) => l + rng() * (hi[i]! - l)),
            ]
          : [this.theta];
      let best = this.theta;
      let bestV = nll(best);
      for (const s of starts) {
        const r = nelderMead(nll, s, {
          maxIter: (effort === 'full' ? 80 : 25) * (d + 2),
          step: effort === 'full' ? 0.7 : 0.3,
          tol: 1e-4,
        });
        if (r.value < bestV) {
          bestV = r.value;
          best = r.x;
        }
      }
      this.theta = clip(best);
    }
    this.#factor(ys);
  }

  /** Conditions on extra points without refitting (constant liar). */
  withExtra(x: readonly number[][], y: readonly number[]): GaussianProcess {
    const g = new GaussianProcess(this.dims, this.theta);
    g.#yMean = this.#yMean;
    g.#ySd = this.#ySd;
    g.#x = [...this.#x, ...x.map((r) => [...r])];
    const ys = [...this.#ysOf(), ...y.map((v) => (v - this.#yMean) / this.#ySd)];
    g.#factor(ys);
    return g;
  }

  #ys: number[] = [];
  #ysOf(): number[] {
    return this.#ys;
  }

  #kernel(a: readonly number[], b: readonly number[], ls: readonly number[], sf2: number): number {
    let r2 = 0;
    for (let k = 0; k < a.length; k++) {
      const t = (a[k]! - b[k]!) / ls[k]!;
      r2 += t * t;
    }
    const r = Math.sqrt(5 * r2);
    return sf2 * (1 + r + (5 * r2) / 3) * Math.exp(-r);
  }

  #gram(theta: readonly number[]): { K: Float64Array; n: number } {
    const n = this.#x.length;
    const ls = theta.slice(0, this.dims).map(Math.exp);
    const sf2 = Math.exp(theta[this.dims]!);
    const sn2 = Math.exp(theta[this.dims + 1]!);
    const K = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        const k = this.#kernel(this.#x[i]!, this.#x[j]!, ls, sf2) + (i === j ? sn2 + 1e-10 : 0);
        K[i * n + j] = k;
        K[j * n + i] = k;
      }
    }
    return { K, n };
  }

  #negLogLik(theta: number[], ys: readonly number[]): number {
    const { K, n } = this.#gram(theta);
    const L = cholesky(K, n);
    if (!L) return 1e10;
    const alpha = cholSolve(L, n, ys);
    let s = 0;
    for (let i = 0; i < n; i++) s += ys[i]! * alpha[i]!;
    let logDet = 0;
    for (let i = 0; i < n; i++) logDet += Math.log(L[i * n + i]!);
    return 0.5 * s + logDet + 0.5 * n * Math.log(2 * Math.PI);
  }

  #factor(ys: number[]): void {
    this.#ys = ys;
    let theta = this.theta;
    let { K, n } = this.#gram(theta);
    let L = cholesky(K, n);
    // Ill-conditioned (duplicate points, tiny noise): raise the noise until it factors.
    for (let tries = 0; !L && tries < 10; tries++) {
      theta = [...theta.slice(0, this.dims + 1), theta[this.dims + 1]! + Math.log(10)];
      ({ K, n } = this.#gram(theta));
      L = cholesky(K, n);
    }
    this.#L = L ?? new Float64Array(n * n);
    this.#n = n;
    this.#alpha = L ? cholSolve(L, n, ys) : new Float64Array(n);
  }

  /** Posterior mean and standard deviation of the latent function at each point (original units). */
  predict(points: readonly number[][]): { mu: Float64Array; sd: Float64Array } {
    const n = this.#n;
    const ls = this.theta.slice(0, this.dims).map(Math.exp);
    const sf2 = Math.exp(this.theta[this.dims]!);
    const mu = new Float64Array(points.length);
    const sd = new Float64Array(points.length);
    const k = new Float64Array(n);
    const v = new Float64Array(n);
    const L = this.#L;
    for (let p = 0; p < points.length; p++) {
      const x = points[p]!;
      let m = 0;
      for (let i = 0; i < n; i++) {
        k[i] = this.#kernel(x, this.#x[i]!, ls, sf2);
        m += k[i]! * this.#alpha[i]!;
      }
      // v = L⁻¹k (forward substitution); σ² = k(x,x) − vᵀv.
      let vv = 0;
      for (let i = 0; i < n; i++) {
        let s = k[i]!;
        const row = i * n;
        for (let j = 0; j < i; j++) s -= L[row + j]! * v[j]!;
        v[i] = s / L[row + i]!;
        vv += v[i]! * v[i]!;
      }
      mu[p] = this.#yMean + this.#ySd * m;
      sd[p] = this.#ySd * Math.sqrt(Math.max(sf2 - vv, 1e-18));
    }
    return { mu, sd };
  }
}

/** Cholesky factor (lower, row-major) of a symmetric positive-definite matrix, or undefined. */
export function cholesky(A: Float64Array, n: number): Float64Array | undefined {
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * n + j]!;
      for (let k = 0; k < j; k++) s -= L[i * n + k]! * L[j * n + k]!;
      if (i === j) {
        if (!(s > 0)) return undefined;
        L[i * n + i] = Math.sqrt(s);
      } else {
        L[i * n + j] = s / L[j * n + j]!;
      }
    }
  }
  return L;
}

/** Solves (L Lᵀ) x = b. */
export function cholSolve(L: Float64Array, n: number, b: readonly number[]): Float64Array {
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= L[i * n + k]! * y[k]!;
    y[i] = s / L[i * n + i]!;
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let k = i + 1; k < n; k++) s -= L[k * n + i]! * x[k]!;
    x[i] = s / L[i * n + i]!;
  }
  return x;
}

/**
 * Nelder–Mead minimization (reflection 1, expansion 2, contraction ½, shrink ½) from `x0` with an
 * initial simplex of `step` along each axis.
 */
export function nelderMead(
  f: (x: number[]) => number,
  x0: readonly number[],
  o: { maxIter?: number; step?: number; tol?: number } = {},
): { x: number[]; value: number } {
  const d = x0.length;
  const step = o.step ?? 0.5;
  const maxIter = o.maxIter ?? 200 * d;
  const tol = o.tol ?? 1e-6;
  let simplex = [
    x0.slice(),
    ...Array.from({ length: d }, (_, i) => x0.map((v, j) => (i === j ? v + step : v))),
  ];
  let values = simplex.map(f);
  for (let it = 0; it < maxIter; it++) {
    const order = values.map((_v, i) => i).sort((a, b) => values[a]! - values[b]!);
    simplex = order.map((i) => simplex[i]!);
    values = order.map((i) => values[i]!);
    if (Math.abs(values[d]! - values[0]!) <= tol * (Math.abs(values[0]!) + tol)) break;
    const centroid = Array.from(
      { length: d },
      (_, j) => simplex.slice(0, d).reduce((a, p) => a + p[j]!, 0) / d,
    );
    const at = (t: number) => centroid.map((c, j) => c + t * (simplex[d]![j]! - c));
    const xr = at(-1);
    const fr = f(xr);
    if (fr < values[0]!) {
      const xe = at(-2);
      const fe = f(xe);
      if (fe < fr) {
        simplex[d] = xe;
        values[d] = fe;
      } else {
        simplex[d] = xr;
        values[d] = fr;
      }
    } else if (fr < values[d - 1]!) {
      simplex[d] = xr;
      values[d] = fr;
    } else {
      const xc = fr < values[d]! ? at(-0.5) : at(0.5);
      const fc = f(xc);
      if (fc < Math.min(fr, values[d]!)) {
        simplex[d] = xc;
        values[d] = fc;
      } else {
        for (let i = 1; i <= d; i++) {
          simplex[i] = simplex[i]!.map((v, j) => simplex[0]![j]! + 0.5 * (v - simplex[0]![j]!));
          values[i] = f(simplex[i]!);
        }
      }
    }
  }
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! < values[best]!) best = i;
  return { x: simplex[best]!, value: values[best]! };
}
