import { missingGateItems, outcomeProblems } from '../../subgraph/lifecycle/closure-rules';
import { overrideProblems } from '../../subgraph/lifecycle/lifecycle.service';
import { closureMessage, triageMessage } from '../../subgraph/status-changes/reporter-feedback';

describe('closure rules', () => {
  it.each([
    ['', false],
    ['   ', false],
    ['No further action', false],
    ['no further action.', false],
    ['No further action, because', false],
    ['No further action, because the MAR template was already replaced last week', true],
    ['MAR template changed so that 08:00 and 12:00 rows are labelled and shaded', true],
  ])('outcome %j acceptable: %s', (outcome, acceptable) => {
    expect(outcomeProblems(outcome).length === 0).toBe(acceptable);
  });

  it("names the gate items still open, in the category's order", () => {
    expect(
      missingGateItems(
        ['record-reconciled', 'dose-schedule-confirmed', 'staff-briefed'],
        new Set(['dose-schedule-confirmed']),
      ),
    ).toEqual(['record-reconciled', 'staff-briefed']);
  });

  it('requires a reason to override the suggested route', () => {
    expect(overrideProblems('MEDICATION_SAFETY_REVIEW', 'MEDICATION_SAFETY_REVIEW', undefined)).toEqual([]);
    expect(overrideProblems('MEDICATION_SAFETY_REVIEW', 'TREND_MONITORING', undefined)[0].path).toBe('overrideReason');
    expect(
      overrideProblems('MEDICATION_SAFETY_REVIEW', 'TREND_MONITORING', 'Pharmacy already changed the label'),
    ).toEqual([]);
  });
});

describe('reporter feedback', () => {
  it('explains the route in plain words and never the just-culture class', () => {
    const message = triageMessage('NM-2026-000001', 'MEDICATION_SAFETY_REVIEW');
    expect(message).toContain('medication safety review');
    expect(message).not.toMatch(/HUMAN_ERROR|SYSTEM_ISSUE|AT_RISK|RECKLESS|blame/i);
  });

  it('closes the loop: you reported X, we changed Y', () => {
    expect(closureMessage('NM-2026-000001', 'MAR signed for the wrong time', 'MAR rows are now labelled')).toBe(
      'You reported NM-2026-000001: "MAR signed for the wrong time". What changed: MAR rows are now labelled',
    );
  });
});

import { defaultTenantSettings, nextTenantSettings } from '../../subgraph/tenant-settings/tenant-settings';

describe('tenant settings', () => {
  it('applies a partial change and refuses a same-day window longer than the standard one', () => {
    expect(nextTenantSettings(defaultTenantSettings, { sameDayTriageHours: 2 })).toEqual({
      next: { ...defaultTenantSettings, sameDayTriageHours: 2 },
      problems: [],
    });
    expect(nextTenantSettings(defaultTenantSettings, { standardTriageHours: 3 }).problems).toEqual([
      { path: 'sameDayTriageHours', message: 'may not be longer than standardTriageHours' },
    ]);
  });
});
