import type { CategoryDefinition, ReportFacts } from '../../plugins/sdk';
import { medication } from '../../plugins/medication';
import { environment } from '../../plugins/environment';
import { repeatKeys, similarityPhrase } from '../../subgraph/patterns/repeat-trigger-keys';
import { similarityKey } from '../../subgraph/patterns/similarity-key';
import { canonicalJson, sha256 } from '../../subgraph/common/canonical-json';

const facts = (overrides: Partial<ReportFacts> = {}, details: Record<string, unknown> = {}): ReportFacts => ({
  category: 'medication',
  serviceId: 'north',
  setting: 'HOME_VISIT',
  potentialHarm: 'MODERATE',
  preventionReliability: 'INDIVIDUAL_VIGILANCE',
  workflowStage: 'HANDOVER',
  contributingFactors: ['Handover rushed'],
  personId: 'person-1',
  occurredAt: new Date('2026-01-05T08:00:00Z'),
  details: { medicationName: 'Levodopa 100mg', ...details },
  ...overrides,
});

const keying = { secret: 'a-secret-of-the-server', tenantId: 'tenant-a' };
/** The report's keys as the report service computes them: its keyed similarity key first. */
const keysOf = (category: Pick<CategoryDefinition, 'key' | 'similarity'>, report: ReportFacts) =>
  repeatKeys(category, report, similarityKey(category, report, keying));

describe('repeatKeys', () => {
  it("gives the plugin's similarity (the same key the report stores), then stage and contributing factors of the service", () => {
    const keys = keysOf(medication, facts());
    expect(keys.map((key) => key.basis)).toEqual(['CATEGORY_SIMILARITY', 'WORKFLOW_STAGE', 'CONTRIBUTING_FACTOR']);
    expect(keys[0].key).toBe(similarityKey(medication, facts(), keying));
    expect(keys.map((key) => key.phrase)).toEqual([
      'for one person with the same medication name',
      'at the handover stage in service north',
      'in service north with the contributing factor "handover rushed"',
    ]);
  });

  it("takes the report's stored similarity key instead of hashing it again, and none when it has none", () => {
    expect(repeatKeys(medication, facts(), similarityKey(medication, facts(), keying))).toEqual(
      keysOf(medication, facts()),
    );
    expect(repeatKeys(medication, facts(), null).map((key) => key.basis)).toEqual([
      'WORKFLOW_STAGE',
      'CONTRIBUTING_FACTOR',
    ]);
  });

  it('is the same for reports that differ only in case and spacing, and differs across people, services and categories', () => {
    const base = keysOf(medication, facts()).map((key) => key.key);
    expect(
      keysOf(
        medication,
        facts({ contributingFactors: ['  handover   RUSHED '] }, { medicationName: 'levodopa  100MG' }),
      ).map((key) => key.key),
    ).toEqual(base);
    const [otherPerson] = keysOf(medication, facts({ personId: 'person-2' }));
    expect(otherPerson.key).not.toBe(base[0]);
    const otherService = keysOf(medication, facts({ serviceId: 'south' })).map((key) => key.key);
    expect(otherService[0]).toBe(base[0]);
    expect(otherService.slice(1)).not.toContain(base[1]);
    expect(
      keysOf(environment, facts({ category: 'environment' }, { hazard: 'x' })).map((key) => key.key),
    ).not.toContain(base[1]);
  });

  it('has no plugin key when a similarity field is missing, and no stage or factor keys when none are given', () => {
    expect(
      keysOf(medication, facts({ personId: undefined, workflowStage: undefined, contributingFactors: [] })),
    ).toEqual([]);
    expect(
      keysOf(medication, facts({ contributingFactors: ['a', 'A', 'b'] })).filter(
        (key) => key.basis === 'CONTRIBUTING_FACTOR',
      ),
    ).toHaveLength(2);
  });
});

describe('similarityKey', () => {
  it('is keyed by the server secret and the tenant, so it is neither a plain hash of the values nor shared across tenants', () => {
    const key = similarityKey(medication, facts(), keying)!;
    expect(key).toMatch(/^[0-9a-f]{32}$/);
    expect(similarityKey(medication, facts(), { ...keying, tenantId: 'tenant-b' })).not.toBe(key);
    expect(similarityKey(medication, facts(), { ...keying, secret: 'another-secret' })).not.toBe(key);
    expect(sha256(canonicalJson(['medication', 'person-1', 'levodopa 100mg'])).slice(0, 32)).not.toBe(key);
    expect(similarityKey(medication, facts(), keying)).toBe(key);
  });
});

describe('repeatKeys with coded contributing factors', () => {
  const factorKeys = (overrides: Partial<ReportFacts>) =>
    keysOf(medication, facts(overrides)).filter((key) => key.basis === 'CONTRIBUTING_FACTOR');

  it('repeats by code, so two wordings of one factor are one key, named by its label', () => {
    const rushed = factorKeys({
      contributingFactors: ['handover rushed'],
      contributingFactorCodes: ['COMMUNICATION.HANDOVER'],
    });
    const reworded = factorKeys({
      contributingFactors: ['rushed handover'],
      contributingFactorCodes: ['COMMUNICATION.HANDOVER'],
    });
    expect(rushed).toEqual(reworded);
    expect(rushed.map((key) => key.phrase)).toEqual(['in service north with the contributing factor "handover"']);
  });

  it('repeats text coded OTHER by its words, as before coding', () => {
    const coded = factorKeys({
      contributingFactors: ['Lift broken'],
      contributingFactorCodes: ['OTHER'],
      otherContributingFactors: ['Lift broken'],
    });
    expect(coded).toEqual(factorKeys({ contributingFactors: ['lift  broken'] }));
    expect(factorKeys({ contributingFactors: ['Lift broken'], contributingFactorCodes: [] })).toEqual([]);
  });
});

describe('similarityPhrase', () => {
  it.each([
    [['personId', 'details.medicationName'], 'for one person with the same medication name'],
    [['serviceId', 'details.hazard'], 'in one service with the same hazard'],
    [['personId'], 'for one person'],
    [['details.issueType', 'details.visitTime'], 'with the same issue type and the same visit time'],
  ])('%j reads "%s"', (fields, phrase) => {
    expect(similarityPhrase(fields)).toBe(phrase);
  });
});
