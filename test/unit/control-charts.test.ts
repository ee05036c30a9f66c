import { controlCharts, describeSignal } from '../../subgraph/analytics/control-charts';

const week = (index: number) => new Date(Date.UTC(2026, 0, 5) + index * 7 * 24 * 60 * 60 * 1000);
const periods = Array.from({ length: 30 }, (_, index) => week(index));

describe('controlCharts', () => {
  it('makes one chart per service and category, counting weeks without reports as zero', () => {
    const charts = controlCharts(
      periods,
      [
        { serviceId: 'north', category: 'medication', periodStart: week(0), count: 3 },
        { serviceId: 'north', category: 'medication', periodStart: week(2), count: 5 },
        { serviceId: 'south', category: 'rota', periodStart: week(1), count: 1 },
        { serviceId: 'south', category: 'rota', periodStart: week(99), count: 7 },
      ],
      'C',
      'WEEK',
      20,
    );
    expect(charts.map((chart) => [chart.serviceId, chart.category])).toEqual([
      ['north', 'medication'],
      ['south', 'rota'],
    ]);
    expect(charts[0].points.slice(0, 4).map((point) => point.count)).toEqual([3, 0, 5, 0]);
    expect(charts[0].points).toHaveLength(30);
    expect(charts[0].baseline).toMatchObject({ from: week(0), to: week(19), periods: 20, mean: 0.4 });
    expect(charts[1].points.reduce((sum, point) => sum + point.count, 0)).toBe(1);
  });

  it('makes one chart per workflow stage when counts carry one, and names the stage in signals', () => {
    const counts = [
      ...periods
        .slice(0, 20)
        .map((periodStart) => ({ serviceId: null, category: null, workflowStage: 'HANDOVER', periodStart, count: 1 })),
      ...periods
        .slice(20)
        .map((periodStart) => ({ serviceId: null, category: null, workflowStage: 'HANDOVER', periodStart, count: 6 })),
      { serviceId: null, category: null, workflowStage: 'DOCUMENTATION', periodStart: week(3), count: 2 },
    ];
    const charts = controlCharts(periods, counts, 'C', 'WEEK', 20);
    expect(charts.map((chart) => chart.workflowStage)).toEqual(['DOCUMENTATION', 'HANDOVER']);
    expect(charts[1].signals[0].description).toMatch(/^at the handover stage: /);
  });

  it('reports each special cause with its periods and baseline, in plain words', () => {
    const counts = periods.map((periodStart, index) => ({
      serviceId: 'north',
      category: 'medication',
      periodStart,
      count: index >= 22 ? 12 : [6, 5, 4, 6, 5][index % 5],
    }));
    const [chart] = controlCharts(periods, counts, 'XMR', 'WEEK', 20);
    const run = chart.signals.find((signal) => signal.rule === 'RUN_OF_SEVEN');
    expect(run).toMatchObject({
      direction: 'UP',
      periodStart: week(22),
      periodEnd: week(29),
      points: 8,
      serviceId: 'north',
      category: 'medication',
    });
    expect(run!.baseline.mean).toBeCloseTo(5.2);
    expect(run!.description).toBe(
      'medication in north: 8 weeks in a row above the baseline mean of 5.2, from 2026-06-08',
    );
  });
});

describe('describeSignal', () => {
  const baseline = { from: week(0), to: week(19), periods: 20, mean: 4, sigma: 2, lowerLimit: 0, upperLimit: 10 };
  it.each([
    ['BEYOND_LIMITS', 'UP', 1, 'all near misses: 1 month above the upper process limit of 10, from 2026-01-05'],
    ['TREND_OF_SIX', 'DOWN', 6, 'all near misses: 6 months in a row falling, from 2026-01-05'],
    [
      'TWO_OF_THREE_NEAR_LIMIT',
      'UP',
      3,
      'all near misses: two of three months close to the upper limit (beyond 8), from 2026-01-05',
    ],
  ] as const)('%s %s', (rule, direction, points, text) => {
    expect(describeSignal({ rule, direction, points, periodStart: week(0) }, baseline, 'MONTH')).toBe(text);
  });
});
