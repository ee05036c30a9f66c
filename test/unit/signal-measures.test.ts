import { categorySpread, compareStages, rate, rateOrNull } from '../../subgraph/analytics/signal-measures';

describe('categorySpread', () => {
  it.each([
    ['every report in one category', [12], 7, 0],
    ['perfectly even over all seven categories', [3, 3, 3, 3, 3, 3, 3], 7, 1],
    ['even over two of four categories', [5, 5], 4, 0.5],
    ['no reports', [], 7, 0],
    ['only one category installed', [9], 1, 0],
  ])('is %s', (_, counts, categories, expected) => {
    expect(categorySpread(counts, categories)).toBeCloseTo(expected);
  });

  it('falls as reports concentrate in one category', () => {
    expect(categorySpread([10, 10, 10], 3)).toBeGreaterThan(categorySpread([20, 5, 5], 3));
    expect(categorySpread([20, 5, 5], 3)).toBeGreaterThan(categorySpread([28, 1, 1], 3));
  });

  it('stays within 0..1 when more categories have reports than are installed now', () => {
    expect(categorySpread([1, 1, 1], 2)).toBeCloseTo(1);
  });
});

describe('rates', () => {
  it('divides, with 0 or null when there is nothing to divide', () => {
    expect(rate(1, 4)).toBe(0.25);
    expect(rate(0, 0)).toBe(0);
    expect(rateOrNull(0, 0)).toBeNull();
  });
});

describe('compareStages', () => {
  const tenant = new Map([
    ['HANDOVER', 30],
    ['ADMINISTRATION', 60],
    ['DOCUMENTATION', 110],
  ]);

  it('flags the stage where a service clusters beyond chance compared with the tenant', () => {
    const service = new Map([
      ['HANDOVER', 12],
      ['ADMINISTRATION', 5],
      ['DOCUMENTATION', 3],
    ]);
    const byStage = new Map(compareStages(service, tenant).map((item) => [item.stage, item]));
    expect(byStage.get('HANDOVER')).toMatchObject({ count: 12, share: 0.6, tenantShare: 0.15, clustered: true });
    expect(byStage.get('HANDOVER')!.lift).toBeCloseTo(4);
    expect(byStage.get('ADMINISTRATION')!.clustered).toBe(false);
    expect(byStage.get('DOCUMENTATION')!.clustered).toBe(false);
  });

  it('does not flag a share in line with the tenant, or too few near misses', () => {
    expect(
      compareStages(
        new Map([
          ['HANDOVER', 3],
          ['DOCUMENTATION', 11],
          ['ADMINISTRATION', 6],
        ]),
        tenant,
      ).some((item) => item.clustered),
    ).toBe(false);
    expect(compareStages(new Map([['HANDOVER', 2]]), tenant)[0].clustered).toBe(false);
  });

  it('flags a stage the rest of the tenant never sees once it repeats', () => {
    const [item] = compareStages(
      new Map([['TRANSPORT', 3]]),
      new Map([
        ['TRANSPORT', 0],
        ['HANDOVER', 50],
      ]),
    );
    expect(item).toMatchObject({ clustered: true, lift: null });
  });
});
