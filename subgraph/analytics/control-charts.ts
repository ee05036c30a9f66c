import {
  spcBaseline,
  specialCauses,
  type SpcBaseline,
  type SpcChartValue,
  type SpcDirection,
  type SpcRuleValue,
} from './spc';
import type { TrendIntervalValue } from './trend-dimensions';

export interface ChartCount {
  serviceId: string | null;
  category: string | null;
  /** Present when charts are per workflow stage: the stage, or `noWorkflowStage`. */
  workflowStage?: string | null;
  periodStart: Date;
  count: number;
}

export interface ChartSignal {
  rule: SpcRuleValue;
  direction: SpcDirection;
  serviceId?: string;
  category?: string;
  workflowStage?: string;
  periodStart: Date;
  periodEnd: Date;
  points: number;
  baseline: ChartBaseline;
  description: string;
}

export interface ChartBaseline extends Omit<SpcBaseline, 'chart' | 'points'> {
  from: Date;
  to: Date;
  periods: number;
}

export interface Chart {
  serviceId?: string;
  category?: string;
  workflowStage?: string;
  chart: SpcChartValue;
  interval: TrendIntervalValue;
  baseline: ChartBaseline;
  points: { periodStart: Date; count: number }[];
  signals: ChartSignal[];
}

const periodWord: Record<TrendIntervalValue, [string, string]> = {
  DAY: ['day', 'days'],
  WEEK: ['week', 'weeks'],
  MONTH: ['month', 'months'],
};
const round = (value: number) => Math.round(value * 10) / 10;
const dateOf = (date: Date) => date.toISOString().slice(0, 10);

/** A signal in plain words, e.g. "medication in north: 9 weeks in a row above the baseline mean of 4.2, from 2026-03-02". */
export function describeSignal(
  signal: Pick<
    ChartSignal,
    'rule' | 'direction' | 'points' | 'serviceId' | 'category' | 'workflowStage' | 'periodStart'
  >,
  baseline: ChartBaseline,
  interval: TrendIntervalValue,
): string {
  const [one, many] = periodWord[interval];
  const up = signal.direction === 'UP';
  const what =
    [
      signal.category,
      signal.workflowStage && `at the ${signal.workflowStage.toLowerCase().replace(/_/g, ' ')} stage`,
      signal.serviceId && `in ${signal.serviceId}`,
    ]
      .filter(Boolean)
      .join(' ') || 'all near misses';
  const periods = `${signal.points} ${signal.points === 1 ? one : many}`;
  const body = {
    BEYOND_LIMITS: `${periods} ${up ? 'above the upper' : 'below the lower'} process limit of ${round(up ? baseline.upperLimit : baseline.lowerLimit)}`,
    RUN_OF_SEVEN: `${periods} in a row ${up ? 'above' : 'below'} the baseline mean of ${round(baseline.mean)}`,
    TREND_OF_SIX: `${periods} in a row ${up ? 'rising' : 'falling'}`,
    TWO_OF_THREE_NEAR_LIMIT: `two of three ${many} close to the ${up ? 'upper' : 'lower'} limit (beyond ${round(up ? baseline.mean + 2 * baseline.sigma : baseline.mean - 2 * baseline.sigma)})`,
  }[signal.rule];
  return `${what}: ${body}, from ${dateOf(signal.periodStart)}`;
}

/**
 * One control chart per service/category pair found in the counts, over
 * every period (periods without reports count as zero), with its baseline and
 * the special causes after it.
 */
export function controlCharts(
  periods: readonly Date[],
  counts: readonly ChartCount[],
  chart: SpcChartValue,
  interval: TrendIntervalValue,
  baselinePeriods: number,
): Chart[] {
  const index = new Map(periods.map((period, position) => [period.getTime(), position]));
  const series = new Map<
    string,
    { serviceId: string | null; category: string | null; workflowStage: string | null; values: number[] }
  >();
  for (const row of counts) {
    const position = index.get(row.periodStart.getTime());
    if (position === undefined) continue;
    const workflowStage = row.workflowStage ?? null;
    const key = `${row.serviceId ?? ''}\u0000${row.category ?? ''}\u0000${workflowStage ?? ''}`;
    let entry = series.get(key);
    if (!entry)
      series.set(
        key,
        (entry = { serviceId: row.serviceId, category: row.category, workflowStage, values: periods.map(() => 0) }),
      );
    entry.values[position] += row.count;
  }
  if (!periods.length) return [];
  return [...series.values()]
    .sort(
      (a, b) =>
        (a.serviceId ?? '').localeCompare(b.serviceId ?? '') ||
        (a.category ?? '').localeCompare(b.category ?? '') ||
        (a.workflowStage ?? '').localeCompare(b.workflowStage ?? ''),
    )
    .map(({ serviceId, category, workflowStage, values }) => {
      const spc = spcBaseline(values, chart, baselinePeriods);
      const baseline: ChartBaseline = {
        from: periods[0],
        to: periods[spc.points - 1],
        periods: spc.points,
        mean: spc.mean,
        sigma: spc.sigma,
        lowerLimit: spc.lowerLimit,
        upperLimit: spc.upperLimit,
      };
      const signals = specialCauses(values, spc).map((signal) => {
        const found = {
          rule: signal.rule,
          direction: signal.direction,
          serviceId: serviceId ?? undefined,
          category: category ?? undefined,
          workflowStage: workflowStage ?? undefined,
          periodStart: periods[signal.startIndex],
          periodEnd: periods[signal.endIndex],
          points: signal.endIndex - signal.startIndex + 1,
          baseline,
        };
        return { ...found, description: describeSignal(found, baseline, interval) };
      });
      return {
        serviceId: serviceId ?? undefined,
        category: category ?? undefined,
        workflowStage: workflowStage ?? undefined,
        chart,
        interval,
        baseline,
        points: values.map((count, position) => ({ periodStart: periods[position], count })),
        signals,
      };
    });
}
