import type { CorrectiveAction } from '../corrective-actions/corrective-action.type';
import {
  protectId,
  protectText,
  protectTexts,
  withheld,
  type FieldProtection,
  type PseudonymKind,
} from '../near-misses/field-protection';
import type { NearMiss } from '../near-misses/near-miss.type';
import { lfpseHarmLevels, type Coding } from '../standards/code-systems';
import type { StandardCodesValue } from '../standards/standard-codes';

/*
 * A near miss as an HL7 FHIR R5 AdverseEvent (docs/standards.md has the
 * element-by-element table). Pure: the caller hands in the near miss as read
 * within the caller's scope, its codes, its corrective actions and the
 * caller's field protection; free text is left out (not "[withheld]") and
 * host ids become pseudonymous identifiers for callers without identified
 * access, as in GraphQL.
 */

export type FhirJson = Record<string, unknown>;

export interface AdverseEventSource {
  nearMiss: NearMiss;
  /** The category's label, or its key when it is no longer installed. */
  categoryLabel: string;
  /** The category's details in today's shape, as the caller may see them. */
  details: Record<string, unknown>;
  codes: StandardCodesValue;
  actions: CorrectiveAction[];
  protection: FieldProtection;
  /**
   * The reporter as the caller may see them (reporter-identity.ts): null for
   * an anonymous report, and for a confidential one the caller may not see.
   */
  reporterId: string | null;
}

export const productSystem = (name: string) => `urn:near-miss-subgraph:${name}`;
const participationType = 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType';
const seriousnessSystem = 'http://terminology.hl7.org/CodeSystem/adverse-event-seriousness';
const fhirId = /^[A-Za-z0-9\-.]{1,64}$/;

/** Plain words for an enum value: `INDIVIDUAL_VIGILANCE` -> `individual vigilance`. */
const words = (value: string) => value.toLowerCase().replace(/_/g, ' ');
const localCoding = (system: string, code: string): Coding => ({
  system: productSystem(system),
  code,
  display: words(code),
});

/**
 * A reference to a host record: `Patient/person-1` when the id is a FHIR id,
 * a logical reference by identifier otherwise, and always by a pseudonymous
 * identifier for callers who see pseudonyms.
 */
export function hostReference(
  protection: FieldProtection,
  kind: PseudonymKind,
  type: string,
  id: string,
  display?: string,
): FhirJson {
  const shown = protectId(protection, kind, id);
  const withDisplay = display ? { display } : {};
  if (shown !== id)
    return { type, identifier: { system: productSystem(`pseudonym:${kind}`), value: shown }, ...withDisplay };
  if (fhirId.test(id)) return { reference: `${type}/${id}`, ...withDisplay };
  return { type, identifier: { system: productSystem(`host:${kind}`), value: id }, ...withDisplay };
}

/** Free text the caller may read, or nothing (a FHIR string may not be "[withheld]"-style filler). */
const readable = (protection: FieldProtection, value: string | undefined): string | undefined => {
  const shown = protectText(protection, value);
  return shown === withheld || !shown?.trim() ? undefined : shown;
};

const seriousHarms = new Set(['SEVERE', 'CATASTROPHIC']);

/** Lifecycle status to AdverseEvent.status (required binding: in-progress | completed | entered-in-error | unknown). */
export const adverseEventStatus = (status: NearMiss['status']) => (status === 'CLOSED' ? 'completed' : 'in-progress');

const codeable = (coding: Coding[], text?: string): FhirJson => ({
  ...(coding.length ? { coding } : {}),
  ...(text ? { text } : {}),
});

const compact = (resource: FhirJson): FhirJson =>
  Object.fromEntries(
    Object.entries(resource).filter(([, value]) => value !== undefined && !(Array.isArray(value) && !value.length)),
  );

export function toAdverseEvent(source: AdverseEventSource): FhirJson {
  const { nearMiss, codes, protection } = source;
  const reclassified = nearMiss.reclassificationRecord;
  const reporter = source.reporterId
    ? hostReference(protection, 'staff', 'Practitioner', source.reporterId)
    : undefined;
  const medicationName =
    typeof source.details.medicationName === 'string' ? readable(protection, source.details.medicationName) : undefined;
  const notes = [
    readable(protection, nearMiss.whatHappened),
    readable(protection, nearMiss.howDetected) && `How it was detected: ${nearMiss.howDetected}`,
    readable(protection, nearMiss.whatMadeThisPossible) && `What made this possible: ${nearMiss.whatMadeThisPossible}`,
    reclassified && readable(protection, reclassified.reason) && `Reclassified as an incident: ${reclassified.reason}`,
  ].filter((text): text is string => Boolean(text));

  return compact({
    resourceType: 'AdverseEvent',
    id: nearMiss.id,
    identifier: [{ system: productSystem('reference'), value: nearMiss.reference }],
    status: adverseEventStatus(nearMiss.status),
    actuality: reclassified ? 'actual' : 'potential',
    category: [codeable(codes.fhirCategory, source.categoryLabel)],
    code: codeable(
      [...codes.lfpse.slice(0, 1), ...codes.ahrq.slice(1, 2)],
      `${reclassified ? 'Incident' : 'Near miss'}: ${source.categoryLabel}`,
    ),
    subject: nearMiss.personId
      ? hostReference(protection, 'person', 'Patient', nearMiss.personId)
      : { display: 'No person identified' },
    encounter: nearMiss.visitId ? hostReference(protection, 'visit', 'Encounter', nearMiss.visitId) : undefined,
    occurrenceDateTime: nearMiss.occurredAt.toISOString(),
    detected: nearMiss.detectedAt?.toISOString(),
    recordedDate: nearMiss.reportedAt.toISOString(),
    location: {
      identifier: { system: productSystem('service'), value: nearMiss.serviceId },
      display: `${words(nearMiss.setting)} (service ${nearMiss.serviceId})`,
    },
    seriousness: codeable(
      [
        {
          system: seriousnessSystem,
          code: seriousHarms.has(nearMiss.potentialHarm) ? 'serious' : 'non-serious',
          display: seriousHarms.has(nearMiss.potentialHarm) ? 'Serious' : 'Non-serious',
        },
        localCoding('potential-harm', nearMiss.potentialHarm),
      ],
      `Potential harm: ${words(nearMiss.potentialHarm)}`,
    ),
    outcome: reclassified
      ? [
          codeable(
            codes.lfpse.filter((coding) => coding.system === lfpseHarmLevels.url),
            words(reclassified.harm),
          ),
        ]
      : undefined,
    recorder: reporter,
    participant: [
      ...(reporter
        ? [{ function: codeable([{ system: participationType, code: 'INF', display: 'informant' }]), actor: reporter }]
        : []),
      ...nearMiss.staffInvolvedIds
        .filter((id) => id !== nearMiss.reportedById)
        .map((id) => ({
          function: codeable([{ system: participationType, code: 'PART', display: 'Participation' }]),
          actor: hostReference(protection, 'staff', 'Practitioner', id),
        })),
    ],
    suspectEntity: nearMiss.medicationRecordId
      ? [
          {
            instanceReference: hostReference(
              protection,
              'medicationRecord',
              'MedicationAdministration',
              nearMiss.medicationRecordId,
              medicationName,
            ),
          },
        ]
      : medicationName
        ? [{ instanceCodeableConcept: { text: medicationName } }]
        : undefined,
    contributingFactor: [
      ...nearMiss.contributingFactors.map((factor) => ({ itemCodeableConcept: { text: factor } })),
      ...(nearMiss.workflowStage
        ? [
            {
              itemCodeableConcept: codeable(
                [localCoding('workflow-stage', nearMiss.workflowStage)],
                `Workflow stage: ${words(nearMiss.workflowStage)}`,
              ),
            },
          ]
        : []),
    ],
    mitigatingAction: [
      ...protectTexts(protection, nearMiss.immediateActions)
        .filter((text) => text !== withheld && text.trim())
        .map((text) => ({ itemCodeableConcept: { text } })),
      {
        itemCodeableConcept: codeable(
          [localCoding('prevention-reliability', nearMiss.preventionReliability)],
          readable(protection, nearMiss.whatPreventedHarm) ?? `Prevented by ${words(nearMiss.preventionReliability)}`,
        ),
      },
    ],
    preventiveAction: source.actions.map((action) => ({
      itemCodeableConcept: codeable(
        [
          localCoding('action-strength', action.strength),
          ...(action.actionType ? [localCoding('action-type', action.actionType)] : []),
        ],
        readable(protection, action.title),
      ),
    })),
    supportingInfo: [
      ...(nearMiss.medicationRecordId
        ? [
            {
              itemReference: hostReference(
                protection,
                'medicationRecord',
                'MedicationAdministration',
                nearMiss.medicationRecordId,
              ),
            },
          ]
        : []),
      ...(nearMiss.shiftId
        ? [{ itemCodeableConcept: hostCoding(protection, 'shift', nearMiss.shiftId, 'Rota shift') }]
        : []),
      ...(nearMiss.carePlanId
        ? [{ itemCodeableConcept: hostCoding(protection, 'carePlan', nearMiss.carePlanId, 'Care plan') }]
        : []),
    ],
    note: notes.map((text) => ({ text })),
  });
}

/** A host record FHIR cannot reference here (a rota shift, a care plan) as a coded concept. */
function hostCoding(protection: FieldProtection, kind: PseudonymKind, id: string, text: string): FhirJson {
  const shown = protectId(protection, kind, id);
  const system = productSystem(shown === id ? `host:${kind}` : `pseudonym:${kind}`);
  return { coding: [{ system, code: shown }], text };
}
