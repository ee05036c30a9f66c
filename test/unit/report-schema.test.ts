import {
  allowedClockSkewMs,
  oldestReportableMs,
  parseReport,
} from '../../subgraph/near-misses/report-near-miss.schema';

const now = new Date('2026-11-23T12:00:00Z');
const minute = 60 * 1000;

const report = (overrides: Record<string, unknown> = {}) => ({
  serviceId: 'north',
  category: 'medication',
  occurredAt: new Date(now.getTime() - 60 * minute),
  setting: 'HOME_VISIT',
  whatHappened: 'The 08:00 dose was signed in the 12:00 slot.',
  howDetected: 'The lunchtime carer compared the MAR with the pack.',
  whatPreventedHarm: 'The carer checked the pack.',
  preventionReliability: 'INDIVIDUAL_VIGILANCE',
  immediateActions: ['Held the dose'],
  potentialHarm: 'MODERATE',
  details: {},
  ...overrides,
});

const paths = (input: Record<string, unknown>, at = now) =>
  parseReport(input, at).problems.map((problem) => `${problem.path}: ${problem.message}`);

describe('parseReport', () => {
  it('accepts a report and fills the defaults', () => {
    const { report: parsed, problems } = parseReport(report(), now);
    expect(problems).toEqual([]);
    expect(parsed).toMatchObject({ serviceId: 'north', contributingFactors: [], staffInvolvedIds: [] });
  });

  it('refuses times in the future beyond the clock skew, on every dated field', () => {
    const future = new Date(now.getTime() + allowedClockSkewMs + minute);
    expect(
      paths(report({ occurredAt: future, detectedAt: future, workflowContext: { carePlanLastReviewedAt: future } })),
    ).toEqual([
      'occurredAt: may not be in the future',
      'detectedAt: may not be in the future',
      'workflowContext.carePlanLastReviewedAt: may not be in the future',
    ]);
    expect(parseReport(report({ occurredAt: future }), now).report).toBeUndefined();
  });

  it('allows the clock skew and refuses an occurrence more than two years ago', () => {
    expect(paths(report({ occurredAt: new Date(now.getTime() + allowedClockSkewMs - minute) }))).toEqual([]);
    expect(paths(report({ occurredAt: new Date(now.getTime() - oldestReportableMs - minute) }))).toEqual([
      'occurredAt: is more than two years ago',
    ]);
  });

  it('judges the clock rules against the time it is given, with one schema for every request', () => {
    const input = report({ occurredAt: new Date(now.getTime() + 60 * minute) });
    expect(paths(input, now)).toEqual(['occurredAt: may not be in the future']);
    expect(paths(input, new Date(now.getTime() + 2 * 60 * minute))).toEqual([]);
    expect(paths(input, now)).toEqual(['occurredAt: may not be in the future']);
  });

  it("names clock problems beside the schema's, and keeps the cross-field rule", () => {
    const future = new Date(now.getTime() + 60 * minute);
    expect(paths(report({ occurredAt: future, whatHappened: ' ', setting: 'BEACH' }))).toEqual(
      expect.arrayContaining([
        'occurredAt: may not be in the future',
        expect.stringMatching(/^setting: /),
        expect.stringMatching(/^whatHappened: /),
      ]),
    );
    expect(paths(report({ detectedAt: new Date(now.getTime() - 2 * 60 * minute) }))).toEqual([
      'detectedAt: may not be before occurredAt',
    ]);
  });
});
