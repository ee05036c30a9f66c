import { medication } from '../../plugins/medication';
import { mealtime } from '../../plugins/mealtime';
import { asRegistered, reportFacts } from '../../plugins/sdk/testing';
import { validateDefinition } from '../../subgraph/categories/category-registry';
import { handoverInvolvement, standardCodesOf } from '../../subgraph/standards/standard-codes';

const medicationDetails = {
  medicationName: 'Levodopa 100mg',
  scheduledTime: '08:00',
  discrepancyType: 'MAR_WRONG_TIME',
  clinicalAdviceSought: true,
  supervisorNotified: true,
} as const;

const codesOf = (list: { code: string }[]) => list.map((coding) => coding.code);

describe('standard codes of a near miss', () => {
  it('codes a medication MAR discrepancy in LFPSE, AHRQ, NCC MERP and FHIR', () => {
    const facts = reportFacts(medication, medicationDetails, { workflowStage: 'DOCUMENTATION' });
    const codes = standardCodesOf(asRegistered(medication), { facts, nccMerp: 'B' });
    expect(codesOf(codes.lfpse)).toEqual(['medication', 'no-harm', 'advice-or-documentation', 'staff-vigilance']);
    expect(codesOf(codes.ahrq)).toEqual(['near-miss', 'medication', 'active-recovery', 'no']);
    expect(codes.nccMerp).toBe('B');
    expect(codes.fhirCategory).toEqual([
      {
        system: 'http://terminology.hl7.org/CodeSystem/adverse-event-category',
        code: 'medication-mishap',
        display: 'Medication Mishap',
      },
    ]);
  });

  it.each([
    ['LABEL_MISMATCH', 'ADMINISTRATION', 'preparation-or-dispensing'],
    ['STOCK_OR_SUPPLY', 'ADMINISTRATION', 'supply-or-ordering'],
    ['WRONG_DOSE', 'PRESCRIBING_OR_PHARMACY', 'prescribing'],
    ['WRONG_DOSE', 'ADMINISTRATION', 'administration'],
  ] as const)('gives a %s at %s the medication process stage %s', (discrepancyType, workflowStage, stage) => {
    const facts = reportFacts(medication, { ...medicationDetails, discrepancyType }, { workflowStage });
    expect(codesOf(standardCodesOf(asRegistered(medication), { facts }).lfpse)).toContain(stage);
  });

  it('codes a near miss stopped by chance as such, and has no medication stage outside medication', () => {
    const facts = reportFacts(mealtime, mealtime.example, { preventionReliability: 'CHANCE' });
    const codes = standardCodesOf(asRegistered(mealtime), { facts });
    expect(codesOf(codes.lfpse)).toEqual(['nutrition-or-hydration', 'no-harm', 'chance']);
    expect(codesOf(codes.ahrq)).toEqual(['near-miss', 'other', 'chance', 'unknown']);
    expect(codes.nccMerp).toBeUndefined();
  });

  it('codes a reclassified near miss as an incident with the harm it did', () => {
    const facts = reportFacts(medication, medicationDetails);
    const codes = standardCodesOf(asRegistered(medication), { facts, nccMerp: 'B', reclassifiedHarm: 'MODERATE' });
    expect(codesOf(codes.lfpse)).toContain('moderate');
    expect(codesOf(codes.lfpse)).not.toContain('no-harm');
    expect(codesOf(codes.ahrq)).toEqual(['incident', 'medication', 'unknown']);
  });

  it('falls back to "other" for a category without LFPSE or AHRQ data, and to nothing once uninstalled', () => {
    const bare = { ...asRegistered(medication), standards: { fhirAdverseEventCategory: 'device' as const } };
    const facts = reportFacts(medication, medicationDetails);
    expect(codesOf(standardCodesOf(bare, { facts }).lfpse)[0]).toBe('other');
    expect(standardCodesOf(undefined, { facts }).fhirCategory).toEqual([]);
  });

  it.each([
    [{ workflowStage: 'HANDOVER', contributingFactors: [] }, 'yes'],
    [{ workflowStage: 'ADMINISTRATION', contributingFactors: ['handover rushed'] }, 'yes'],
    [{ workflowStage: undefined, contributingFactors: ['hand-off at night'] }, 'yes'],
    [{ workflowStage: 'ADMINISTRATION', contributingFactors: [] }, 'no'],
    [{ workflowStage: undefined, contributingFactors: [] }, 'unknown'],
  ] as const)('handover involvement of %j is %s', (facts, expected) => {
    expect(handoverInvolvement({ ...facts, contributingFactors: [...facts.contributingFactors] })).toBe(expected);
  });
});

describe('the registry checks every declared and computed code against its list', () => {
  const base = asRegistered(medication);
  it.each([
    [{ ...base.standards, fhirAdverseEventCategory: 'medication-error' }, 'standards.fhirAdverseEventCategory'],
    [{ ...base.standards, lfpse: { eventType: 'medicine' } }, 'standards.lfpse.eventType'],
    [{ ...base.standards, ahrq: { eventCategory: 'falls' } }, 'standards.ahrq.eventCategory'],
    [{ ...base.standards, nccMerp: () => 'C' }, 'standards.nccMerp'],
    [
      { ...base.standards, lfpse: { eventType: 'medication', medicationProcessStage: () => 'giving' } },
      'standards.lfpse.medicationProcessStage',
    ],
  ])('refuses %j', (standards, field) => {
    const problems = validateDefinition({ ...base, standards } as unknown as typeof base);
    expect(problems).toEqual([expect.stringContaining(`${field} `)]);
  });

  it('accepts the medication plugin as it is', () => {
    expect(validateDefinition(base)).toEqual([]);
  });
});
