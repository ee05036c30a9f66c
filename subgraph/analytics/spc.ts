// Statistical process control in the style of NHS England's "Making Data Count":
// a baseline sets the mean and process limits, and later points are tested with
// the standard special-cause rules. Plain functions of plain numbers.

export const spcCharts = ['XMR', 'C'] as const;
export type SpcChartValue = (typeof spcCharts)[number];

export const spcRules = ['BEYOND_LIMITS', 'RUN_OF_SEVEN', 'TREND_OF_SIX', 'TWO_OF_THREE_NEAR_LIMIT'] as const;
export type SpcRuleValue = (typeof spcRules)[number];

export type SpcDirection = 'UP' | 'DOWN';

/** What later points are compared against. */
export interface SpcBaseline {
  chart: SpcChartValue;
  /** Index of the first point after the baseline (points before it set the limits). */
  points: number;
  mean: number;
  /** One standard deviation of the process: mR̄ / 1.128 (XmR) or √c̄ (c-chart). */
  sigma: number;
  upperLimit: number;
  /** Never below zero: counts cannot be. */
  lowerLimit: number;
}

export interface SpcSignal {
  rule: SpcRuleValue;
  direction: SpcDirection;
  /** First and last point (inclusive) that make up the signal. */
  startIndex: number;
  endIndex: number;
}

/** Making Data Count: XmR limits are the mean ± 2.66 × the mean moving range. */
const xmrScale = 2.66;
/** d2 for moving ranges of two points: σ = mR̄ / 1.128. */
const d2 = 1.128;

export const runLength = 7;
export const trendLength = 6;

const mean = (values: readonly number[]) =>
  values.length ? values.reduce((sum, value) => sum + value, 0) / values.length : 0;

/**
 * The baseline: the first `baselinePoints` points (Making Data Count
 * recommends 15 to 20), or every point when the series is no longer.
 */
export function spcBaseline(values: readonly number[], chart: SpcChartValue, baselinePoints = 20): SpcBaseline {
  const baseline = values.slice(0, Math.min(values.length, baselinePoints));
  const centre = mean(baseline);
  let sigma: number;
  let halfWidth: number;
  if (chart === 'XMR') {
    const movingRanges = baseline.slice(1).map((value, index) => Math.abs(value - baseline[index]));
    const movingRangeMean = mean(movingRanges);
    sigma = movingRangeMean / d2;
    halfWidth = xmrScale * movingRangeMean;
  } else {
    sigma = Math.sqrt(centre);
    halfWidth = 3 * sigma;
  }
  return {
    chart,
    points: baseline.length,
    mean: centre,
    sigma,
    upperLimit: centre + halfWidth,
    lowerLimit: Math.max(0, centre - halfWidth),
  };
}

/** Merges flagged point indexes into consecutive stretches. */
function stretches(indexes: number[]): [number, number][] {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const result: [number, number][] = [];
  for (const index of sorted) {
    const last = result.at(-1);
    if (last && index === last[1] + 1) last[1] = index;
    else result.push([index, index]);
  }
  return result;
}

/** Merges ranges that overlap or touch. */
function mergeOverlapping(ranges: [number, number][]): [number, number][] {
  const result: [number, number][] = [];
  for (const [start, end] of [...ranges].sort((a, b) => a[0] - b[0])) {
    const last = result.at(-1);
    if (last && start <= last[1] + 1) last[1] = Math.max(last[1], end);
    else result.push([start, end]);
  }
  return result;
}

/**
 * The special-cause rules, on the points after the baseline (or on every
 * point when the baseline is the whole series):
 * - a point beyond the process limits;
 * - a run of 7 or more points on one side of the mean (a point on the mean breaks it);
 * - a trend of 6 or more points each higher (or lower) than the one before;
 * - two of three consecutive points beyond two sigma on the same side (close to a limit).
 * Each signal covers the whole stretch of points that make it up.
 */
export function specialCauses(values: readonly number[], baseline: SpcBaseline): SpcSignal[] {
  const from = baseline.points < values.length ? baseline.points : 0;
  const signals: SpcSignal[] = [];
  const add = (rule: SpcRuleValue, direction: SpcDirection, ranges: [number, number][]) =>
    ranges.forEach(([startIndex, endIndex]) => signals.push({ rule, direction, startIndex, endIndex }));
  const monitored = values.map((value, index) => ({ value, index })).slice(from);

  if (baseline.sigma > 0) {
    add(
      'BEYOND_LIMITS',
      'UP',
      stretches(monitored.filter((point) => point.value > baseline.upperLimit).map((point) => point.index)),
    );
    add(
      'BEYOND_LIMITS',
      'DOWN',
      stretches(monitored.filter((point) => point.value < baseline.lowerLimit).map((point) => point.index)),
    );
  }

  for (const direction of ['UP', 'DOWN'] as const) {
    const side = (value: number) => (direction === 'UP' ? value > baseline.mean : value < baseline.mean);
    const onSide = stretches(monitored.filter((point) => side(point.value)).map((point) => point.index));
    add(
      'RUN_OF_SEVEN',
      direction,
      onSide.filter(([start, end]) => end - start + 1 >= runLength),
    );
  }

  for (const direction of ['UP', 'DOWN'] as const) {
    const step = (index: number) =>
      direction === 'UP' ? values[index] > values[index - 1] : values[index] < values[index - 1];
    // A trend of n points is n - 1 steps in one direction; its first point may be the last baseline point's successor.
    const stepping = stretches(
      monitored.filter((point) => point.index > from && step(point.index)).map((point) => point.index),
    );
    add(
      'TREND_OF_SIX',
      direction,
      stepping.filter(([start, end]) => end - start + 2 >= trendLength).map(([start, end]) => [start - 1, end]),
    );
  }

  if (baseline.sigma > 0) {
    for (const direction of ['UP', 'DOWN'] as const) {
      const near = (value: number) =>
        direction === 'UP' ? value > baseline.mean + 2 * baseline.sigma : value < baseline.mean - 2 * baseline.sigma;
      const windows: [number, number][] = [];
      for (let start = from; start + 2 < values.length; start += 1) {
        const inWindow = [start, start + 1, start + 2].filter((index) => near(values[index]));
        if (inWindow.length >= 2) windows.push([inWindow[0], inWindow[inWindow.length - 1]]);
      }
      add('TWO_OF_THREE_NEAR_LIMIT', direction, mergeOverlapping(windows));
    }
  }
  return signals.sort((a, b) => a.startIndex - b.startIndex || spcRules.indexOf(a.rule) - spcRules.indexOf(b.rule));
}
