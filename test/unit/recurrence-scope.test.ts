import type { ReportFacts } from '../../plugins/sdk';
import { environment } from '../../plugins/environment';
import { mealtime } from '../../plugins/mealtime';
import { medication } from '../../plugins/medication';
import { suggestedRecurrenceScope } from '../../subgraph/corrective-actions/corrective-action.service';
import { kindFields, kindKey, similarityKey } from '../../subgraph/patterns/similarity-key';

const facts = (overrides: Partial<ReportFacts> = {}, details: Record<string, unknown> = {}): ReportFacts => ({
  category: 'medication',
  serviceId: 'north',
  setting: 'HOME_VISIT',
  potentialHarm: 'MODERATE',
  preventionReliability: 'INDIVIDUAL_VIGILANCE',
  contributingFactors: [],
  personId: 'person-1',
  occurredAt: new Date('2026-01-05T08:00:00Z'),
  details: { medicationName: 'Levodopa 100mg', discrepancyType: 'MAR_WRONG_TIME', ...details },
  ...overrides,
});

describe('the same kind of near miss', () => {
  it("is the plugin's kind fields, whoever it happened to", () => {
    const mine = kindKey(medication, facts());
    expect(kindKey(medication, facts({ personId: 'person-2' }, { medicationName: 'Metformin' }))).toBe(mine);
    expect(kindKey(medication, facts({}, { discrepancyType: 'LABEL_MISMATCH' }))).not.toBe(mine);
    // Similarity stays narrower: the same person and medicine.
    const keying = { secret: 'a-secret', tenantId: 'tenant-a' };
    expect(similarityKey(medication, facts({ personId: 'person-2' }), keying)).not.toBe(
      similarityKey(medication, facts(), keying),
    );
  });

  it("defaults to the details fields of the plugin's similarity", () => {
    expect(kindFields(mealtime)).toEqual(['details.issueType']);
    expect(kindFields(medication)).toEqual(['details.discrepancyType']);
  });

  it('is null when a kind field is empty', () => {
    expect(kindKey(medication, facts({}, { discrepancyType: undefined }))).toBeNull();
  });
});

describe('suggestedRecurrenceScope', () => {
  it('is service-wide when a category among the near misses suggests it, else the person', () => {
    expect(suggestedRecurrenceScope([medication])).toBe('SAME_PERSON');
    expect(suggestedRecurrenceScope([medication, environment])).toBe('SAME_KIND_IN_SERVICES');
    expect(suggestedRecurrenceScope([undefined])).toBe('SAME_PERSON');
  });
});
