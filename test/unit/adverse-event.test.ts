import { adverseEventStatus, hostReference, toAdverseEvent } from '../../subgraph/fhir/adverse-event';
import type { NearMiss } from '../../subgraph/near-misses/near-miss.type';

const identified = { withholdFreeText: false, pseudonymisePeople: false, tenantId: 't1' };
const pseudonymous = { withholdFreeText: true, pseudonymisePeople: true, secret: 'secret', tenantId: 't1' };

const nearMiss = {
  id: '6f1c2d3e-0000-4000-8000-000000000001',
  reference: 'NM-2026-000001',
  serviceId: 'north',
  status: 'REPORTED',
  occurredAt: new Date('2026-11-20T08:05:00Z'),
  reportedAt: new Date('2026-11-20T09:00:00Z'),
  setting: 'HOME_VISIT',
  whatHappened: 'Signed in the wrong slot',
  howDetected: 'Compared with the blister pack',
  whatPreventedHarm: 'The carer checked',
  preventionReliability: 'INDIVIDUAL_VIGILANCE',
  immediateActions: ['Held the dose'],
  contributingFactors: [],
  potentialHarm: 'SEVERE',
  details: {},
  categoryKey: 'medication',
  reportedById: 'staff-7',
  staffInvolvedIds: ['staff-7'],
} as unknown as NearMiss;

const codes = { lfpse: [], ahrq: [], fhirCategory: [] };

describe('toAdverseEvent', () => {
  it('names no person when none is linked, and calls severe potential harm serious', () => {
    const resource = toAdverseEvent({
      nearMiss,
      categoryLabel: 'Medication',
      details: {},
      codes,
      actions: [],
      protection: identified,
      reporterId: 'staff-7',
    });
    expect(resource.subject).toEqual({ display: 'No person identified' });
    expect(resource.seriousness).toMatchObject({
      coding: [expect.objectContaining({ code: 'serious' }), expect.objectContaining({ code: 'SEVERE' })],
    });
    // The reporter is the informant; a reporter listed among the staff involved is not listed twice.
    expect(resource.participant).toHaveLength(1);
    expect(resource).not.toHaveProperty('encounter');
    expect(resource).not.toHaveProperty('suspectEntity');
  });

  it('leaves notes and immediate actions out for callers who may not read free text', () => {
    const resource = toAdverseEvent({
      nearMiss,
      categoryLabel: 'Medication',
      details: {},
      codes,
      actions: [],
      protection: pseudonymous,
      reporterId: 'staff-7',
    });
    expect(resource).not.toHaveProperty('note');
    expect(resource.mitigatingAction).toEqual([
      {
        itemCodeableConcept: {
          coding: [expect.objectContaining({ code: 'INDIVIDUAL_VIGILANCE' })],
          text: 'Prevented by individual vigilance',
        },
      },
    ]);
    expect(JSON.stringify(resource)).not.toContain('staff-7');
  });

  it('names no reporter the caller may not see (anonymous, or confidential to them), not even among the staff involved', () => {
    const resource = toAdverseEvent({
      nearMiss,
      categoryLabel: 'Medication',
      details: {},
      codes,
      actions: [],
      protection: identified,
      reporterId: null,
    });
    expect(resource).not.toHaveProperty('recorder');
    expect(resource).not.toHaveProperty('participant');
    expect(JSON.stringify(resource)).not.toContain('staff-7');
  });

  it.each([
    ['REPORTED', 'in-progress'],
    ['TRIAGED', 'in-progress'],
    ['REOPENED', 'in-progress'],
    ['CLOSED', 'completed'],
  ] as const)('maps status %s to %s', (status, expected) => {
    expect(adverseEventStatus(status)).toBe(expected);
  });
});

describe('hostReference', () => {
  it('references FHIR ids, identifies other host ids, and pseudonymises for pseudonymous callers', () => {
    expect(hostReference(identified, 'person', 'Patient', 'person-1')).toEqual({ reference: 'Patient/person-1' });
    expect(hostReference(identified, 'person', 'Patient', 'person_1')).toEqual({
      type: 'Patient',
      identifier: { system: 'urn:near-miss-subgraph:host:person', value: 'person_1' },
    });
    expect(hostReference(pseudonymous, 'person', 'Patient', 'person-1')).toEqual({
      type: 'Patient',
      identifier: { system: 'urn:near-miss-subgraph:pseudonym:person', value: expect.stringMatching(/^psn_/) },
    });
  });
});
