import { SeededRandom } from '../../bench/seeded-random';
import { spcBaseline, specialCauses, type SpcSignal } from '../../subgraph/analytics/spc';

// Small bounded noise around 10 with no runs, trends or extremes: the process "as usual".
const steady = (length: number, level = 10) =>
  Array.from({ length }, (_, index) => level + [0, 2, -1, 1, -2, 1, -1, 2, 0, -2][index % 10]);
const rules = (signals: SpcSignal[]) =>
  signals.map((signal) => `${signal.rule}:${signal.direction}:${signal.startIndex}-${signal.endIndex}`);

describe('spcBaseline', () => {
  it('sets XmR limits at the mean ± 2.66 × the mean moving range (Making Data Count)', () => {
    const baseline = spcBaseline([10, 12, 11, 13, 9], 'XMR', 20);
    // moving ranges 2, 1, 2, 4: mean 2.25
    expect(baseline.mean).toBeCloseTo(11);
    expect(baseline.upperLimit).toBeCloseTo(11 + 2.66 * 2.25);
    expect(baseline.lowerLimit).toBeCloseTo(11 - 2.66 * 2.25);
    expect(baseline.sigma).toBeCloseTo(2.25 / 1.128);
    expect(baseline.points).toBe(5);
  });

  it('sets c-chart limits at c̄ ± 3√c̄, never below zero', () => {
    const baseline = spcBaseline([4, 4, 4, 4, 20, 20], 'C', 4);
    expect(baseline).toMatchObject({ mean: 4, sigma: 2, upperLimit: 10, lowerLimit: 0, points: 4 });
  });
});

describe('specialCauses', () => {
  it('stays quiet on a steady process', () => {
    const values = steady(52);
    expect(specialCauses(values, spcBaseline(values, 'XMR', 20))).toEqual([]);
    expect(specialCauses(values, spcBaseline(values, 'C', 20))).toEqual([]);
  });

  it('finds a point beyond the limits', () => {
    const values = steady(40);
    values[30] = 25;
    expect(rules(specialCauses(values, spcBaseline(values, 'XMR', 20)))).toContain('BEYOND_LIMITS:UP:30-30');
  });

  it('finds a run of 7 on one side of the mean, and not a run of 6', () => {
    const values = steady(40);
    for (let index = 25; index < 32; index += 1) values[index] = 12;
    expect(rules(specialCauses(values, spcBaseline(values, 'XMR', 20)))).toEqual(['RUN_OF_SEVEN:UP:25-31']);
    values[31] = 10;
    expect(specialCauses(values, spcBaseline(values, 'XMR', 20))).toEqual([]);
  });

  it('finds a trend of 6 rising points, and not of 5', () => {
    const values = steady(40);
    [7, 8, 9, 10, 11, 12].forEach((value, offset) => (values[24 + offset] = value));
    expect(rules(specialCauses(values, spcBaseline(values, 'XMR', 20)))).toContain('TREND_OF_SIX:UP:24-29');
    values[29] = 9;
    expect(
      rules(specialCauses(values, spcBaseline(values, 'XMR', 20))).filter((rule) => rule.startsWith('TREND')),
    ).toEqual([]);
  });

  it('finds two of three points close to a limit on the same side', () => {
    const values = steady(40);
    const baseline = spcBaseline(values, 'XMR', 20);
    const near = Math.ceil(baseline.mean + 2 * baseline.sigma + 0.1);
    expect(near).toBeLessThan(baseline.upperLimit);
    values[30] = near;
    values[32] = near;
    expect(rules(specialCauses(values, baseline))).toEqual(['TWO_OF_THREE_NEAR_LIMIT:UP:30-32']);
  });

  it('judges only points after the baseline, and every point when the series is the baseline', () => {
    const values = steady(30);
    values[5] = 40;
    expect(specialCauses(values, spcBaseline(values, 'XMR', 20)).filter((signal) => signal.startIndex < 20)).toEqual(
      [],
    );
    const short = steady(15);
    short[5] = 40;
    expect(rules(specialCauses(short, spcBaseline(short, 'XMR', 20)))).toContain('BEYOND_LIMITS:UP:5-5');
  });

  it('finds a fall as well as a rise', () => {
    const values = steady(45);
    for (let index = 30; index < 45; index += 1) values[index] = 3;
    const signals = specialCauses(values, spcBaseline(values, 'XMR', 20));
    expect(signals.length).toBeGreaterThan(0);
    // The run begins at week 29, already below the mean.
    expect(signals.every((signal) => signal.direction === 'DOWN' && signal.startIndex >= 29)).toBe(true);
  });
});

// Generated weekly counts: Poisson noise, as near-miss counts are.
describe('on generated Poisson series', () => {
  const poissonYear = (random: SeededRandom, mean: (week: number) => number) =>
    Array.from({ length: 52 }, (_, week) => random.poisson(mean(week)));

  it('finds every seeded sustained shift (a doubling from week 32), soon after it starts, and no rise before it', () => {
    for (let seed = 1; seed <= 100; seed += 1) {
      const random = new SeededRandom(seed);
      const values = poissonYear(random, (week) => (week >= 32 ? 16 : 8));
      const signals = specialCauses(values, spcBaseline(values, 'C', 20));
      const found = signals.find((signal) => signal.direction === 'UP' && signal.endIndex >= 32);
      expect({ seed, found: Boolean(found) }).toEqual({ seed, found: true });
      expect(found!.startIndex).toBeLessThanOrEqual(40);
    }
  });

  it('finds a seeded one-week spike of four times the usual count', () => {
    for (let seed = 1; seed <= 100; seed += 1) {
      const values = poissonYear(new SeededRandom(seed), (week) => (week === 40 ? 40 : 10));
      expect({
        seed,
        spike: specialCauses(values, spcBaseline(values, 'C', 20)).some(
          (signal) => signal.rule === 'BEYOND_LIMITS' && signal.startIndex === 40,
        ),
      }).toEqual({ seed, spike: true });
    }
  });

  it('raises few signals on stable noise: fewer than 2 in 100 monitored weeks start one', () => {
    // Making Data Count's rules with a 20-point baseline are not silent on every stable
    // series (about one stable year in three shows a run somewhere); per week they are rare.
    let weeks = 0;
    let signals = 0;
    for (let seed = 1; seed <= 300; seed += 1) {
      const values = poissonYear(new SeededRandom(seed), () => 10);
      weeks += 52 - 20;
      signals += specialCauses(values, spcBaseline(values, 'C', 20)).length;
    }
    expect(signals / weeks).toBeLessThan(0.02);
  });
});
