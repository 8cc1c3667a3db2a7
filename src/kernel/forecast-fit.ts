// Growth of a sampled series: an ordinary least-squares line y = a + b·t and
// a verdict on whether it describes steady growth. Pure; t in seconds, y in
// any unit (the caller keeps bytes or kB). docs/forecast.md explains the
// thresholds.

export interface Point {
  t: number;
  y: number;
}

export interface LineFit {
  n: number;
  /** Units per second. */
  slope: number;
  intercept: number;
  /** 1 - SSE/SST; 1 for a series with no variance at all. */
  r2: number;
  /** Standard error of the slope (0 when the points lie on the line). */
  slopeStdErr: number;
  /** Sum of squared residuals. */
  sse: number;
  /** Time of the last point and the line's value there. */
  tLast: number;
  yFitLast: number;
  yLast: number;
  /** Seconds between the first and the last point. */
  span: number;
}

/** Least squares over the points; undefined with fewer than 2 points or all at one time. */
export function fitLine(points: readonly Point[]): LineFit | undefined {
  const n = points.length;
  if (n < 2) return undefined;
  // Centred sums: t and y can be large (bytes), so subtract the means first.
  let mt = 0;
  let my = 0;
  for (const p of points) { mt += p.t; my += p.y; }
  mt /= n;
  my /= n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (const p of points) {
    const dt = p.t - mt;
    const dy = p.y - my;
    sxx += dt * dt;
    sxy += dt * dy;
    syy += dy * dy;
  }
  if (sxx === 0) return undefined;
  const slope = sxy / sxx;
  const intercept = my - slope * mt;
  const sse = Math.max(0, syy - slope * sxy);
  const r2 = syy === 0 ? 1 : 1 - sse / syy;
  const slopeStdErr = n > 2 ? Math.sqrt(sse / (n - 2) / sxx) : Number.POSITIVE_INFINITY;
  const last = points[n - 1] as Point;
  const first = points[0] as Point;
  return { n, slope, intercept, r2, slopeStdErr, sse, tLast: last.t, yFitLast: intercept + slope * last.t, yLast: last.y, span: last.t - first.t };
}

/**
 * The smallest sum of squared residuals of a two-level model (one mean
 * before a split, another after): a single step. Compared with the line's
 * SSE it tells a one-off jump (an allocation at start-up) from growth.
 */
export function stepSse(points: readonly Point[]): number {
  const n = points.length;
  if (n < 4) return Number.POSITIVE_INFINITY;
  const ys = points.map((p) => p.y);
  const mean = ys.reduce((a, b) => a + b, 0) / n;
  const centred = ys.map((y) => y - mean);
  const prefix = [0];
  const prefixSq = [0];
  for (const y of centred) {
    prefix.push((prefix[prefix.length - 1] as number) + y);
    prefixSq.push((prefixSq[prefixSq.length - 1] as number) + y * y);
  }
  const total = prefix[n] as number;
  const totalSq = prefixSq[n] as number;
  let best = Number.POSITIVE_INFINITY;
  // At least two points on each side.
  for (let k = 2; k <= n - 2; k++) {
    const s1 = prefix[k] as number;
    const s2 = total - s1;
    const sse = totalSq - (s1 * s1) / k - (s2 * s2) / (n - k);
    if (sse < best) best = sse;
  }
  return Math.max(0, best);
}

export type GrowthVerdict =
  /** A significant positive slope and a good line. */
  | 'growing'
  /** A significant negative slope and a good line. */
  | 'shrinking'
  /** A significant slope, but the line explains too little (R² below minR2; below minTrendR2 it is not projected). */
  | 'noisy'
  /** A one-off jump fits better than a line: not growing now. */
  | 'step'
  /** No significant slope. */
  | 'flat'
  | 'too-few-samples';

export interface GrowthOptions {
  /** Fewer points than this: 'too-few-samples'. */
  minSamples: number;
  /** A line explaining less than this share of the variance is 'noisy'. */
  minR2: number;
  /** Below this R² a 'noisy' line is not followed at all (no projection). */
  minTrendR2: number;
  /** |slope| must exceed this many standard errors. */
  minTStat: number;
  /** |slope| × span must exceed this (the unit's quantum, e.g. one page). */
  minChange: number;
}

export const DEFAULT_GROWTH_OPTIONS: GrowthOptions = { minSamples: 5, minR2: 0.8, minTrendR2: 0.5, minTStat: 3, minChange: 0 };

export interface Growth {
  verdict: GrowthVerdict;
  fit: LineFit | undefined;
  /** Units per second used for projections: the slope, or 0 when not a trend. */
  rate: number;
  /** Where the series stands now: the line's value at the last point for a trend, else the last value. */
  level: number;
}

/** True when the growth is a trend the projection follows. */
export function isTrend(g: Growth): boolean {
  return g.rate !== 0 && (g.verdict === 'growing' || g.verdict === 'shrinking' || g.verdict === 'noisy');
}

export function classifyGrowth(points: readonly Point[], options: Partial<GrowthOptions> = {}): Growth {
  const o = { ...DEFAULT_GROWTH_OPTIONS, ...options };
  const last = points[points.length - 1];
  const fit = fitLine(points);
  const hold = (verdict: GrowthVerdict): Growth => ({ verdict, fit, rate: 0, level: last?.y ?? 0 });
  if (!fit || points.length < o.minSamples) return hold('too-few-samples');
  const significant = Math.abs(fit.slope) > o.minTStat * fit.slopeStdErr && Math.abs(fit.slope) * fit.span > o.minChange;
  if (!significant) return hold('flat');
  // A jump that a two-level model fits at least twice as well as the line.
  if (stepSse(points) * 2 < fit.sse) return hold('step');
  if (fit.r2 < o.minTrendR2) return hold('noisy');
  const verdict: GrowthVerdict = fit.r2 < o.minR2 ? 'noisy' : fit.slope > 0 ? 'growing' : 'shrinking';
  return { verdict, fit, rate: fit.slope, level: fit.yFitLast };
}

/** Seconds until a level moving at `rate` per second reaches `target`; 0 if already there, null if never. */
export function secondsToReach(level: number, rate: number, target: number, direction: 'up' | 'down'): number | null {
  if (direction === 'up') {
    if (level >= target) return 0;
    return rate > 0 ? (target - level) / rate : null;
  }
  if (level <= target) return 0;
  return rate < 0 ? (level - target) / -rate : null;
}
