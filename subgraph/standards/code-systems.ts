/*
 * The outside code systems near misses are coded in: one list per system,
 * code -> display. Plugins choose from these lists (plugins/sdk), the registry
 * refuses a code outside them, and FHIR, exports and `NearMiss.standardCodes`
 * print them. LFPSE and the AHRQ Common Formats publish value lists but no
 * FHIR code systems: their `url`s are this product's names for those lists
 * (docs/standards.md); the FHIR and NCC MERP ones are the publishers' own.
 */

export interface CodeSystem<Code extends string = string> {
  url: string;
  /** Who publishes the values, for docs. */
  title: string;
  concepts: Readonly<Record<Code, string>>;
}

const codeSystem = <Code extends string>(system: CodeSystem<Code>): CodeSystem<Code> => system;

/** NHS Learn from Patient Safety Events: what the event was about. */
export const lfpseEventTypes = codeSystem({
  url: 'urn:near-miss-subgraph:lfpse:event-type',
  title: 'NHS LFPSE event type',
  concepts: {
    medication: 'Medication',
    'clinical-assessment': 'Clinical assessment, including diagnosis, tests and escalation',
    'treatment-or-care': 'Treatment, procedure or care delivery',
    'access-transfer-discharge': 'Access, admission, transfer or discharge, including missed visits',
    'infrastructure-or-environment': 'Infrastructure, equipment or environment',
    'patient-accident': 'Patient accident, including falls',
    'safeguarding-or-behaviour': 'Safeguarding, abuse or behaviour',
    'nutrition-or-hydration': 'Nutrition or hydration',
    'communication-or-documentation': 'Communication or documentation',
    other: 'Other',
  },
});

/** LFPSE physical harm: none for a near miss; the harm that followed for a reclassified one. */
export const lfpseHarmLevels = codeSystem({
  url: 'urn:near-miss-subgraph:lfpse:physical-harm',
  title: 'NHS LFPSE physical harm',
  concepts: {
    'no-harm': 'No physical harm',
    low: 'Low physical harm',
    moderate: 'Moderate physical harm',
    severe: 'Severe physical harm',
    fatal: 'Fatal',
  },
});

/** LFPSE medication process stage (medication events only). */
export const lfpseMedicationProcessStages = codeSystem({
  url: 'urn:near-miss-subgraph:lfpse:medication-process-stage',
  title: 'NHS LFPSE medication process stage',
  concepts: {
    prescribing: 'Prescribing',
    'preparation-or-dispensing': 'Preparation or dispensing in a pharmacy',
    'supply-or-ordering': 'Supply or ordering',
    administration: 'Administration or supply to the person',
    monitoring: 'Monitoring',
    'advice-or-documentation': 'Advice or record keeping',
    other: 'Other',
  },
});

/** LFPSE: how the event was caught before it reached the person. */
export const lfpseDetectionPoints = codeSystem({
  url: 'urn:near-miss-subgraph:lfpse:detection-point',
  title: 'NHS LFPSE detection point',
  concepts: {
    'planned-check': 'Caught by a planned check or system control',
    'staff-vigilance': 'Caught by the vigilance of staff',
    chance: 'Caught by chance',
  },
});

/** AHRQ Common Formats: the kind of event. */
export const ahrqEventTypes = codeSystem({
  url: 'urn:near-miss-subgraph:ahrq-common-formats:event-type',
  title: 'AHRQ Common Formats event type',
  concepts: {
    incident: 'Incident: a patient safety event that reached the patient',
    'near-miss': 'Near miss: a patient safety event that did not reach the patient',
    'unsafe-condition': 'Unsafe condition',
  },
});

/** AHRQ Common Formats event category. */
export const ahrqEventCategories = codeSystem({
  url: 'urn:near-miss-subgraph:ahrq-common-formats:event-category',
  title: 'AHRQ Common Formats event category',
  concepts: {
    medication: 'Medication or other substance',
    fall: 'Fall',
    device: 'Device or medical/surgical supply',
    'healthcare-associated-infection': 'Healthcare-associated infection',
    'pressure-injury': 'Pressure injury',
    other: 'Other',
  },
});

/** AHRQ Common Formats, near misses: why the event did not reach the patient. */
export const ahrqReachPrevention = codeSystem({
  url: 'urn:near-miss-subgraph:ahrq-common-formats:reach-prevention',
  title: 'AHRQ Common Formats: what kept the near miss from reaching the patient',
  concepts: {
    'active-recovery': 'Active recovery: the error was caught',
    chance: 'Chance: the error was not caught',
  },
});

/** AHRQ Common Formats: was a handover (handoff) involved? */
export const ahrqHandoverInvolvement = codeSystem({
  url: 'urn:near-miss-subgraph:ahrq-common-formats:handover',
  title: 'AHRQ Common Formats handover involvement',
  concepts: { yes: 'Handover involved', no: 'No handover involved', unknown: 'Unknown' },
});

/** NCC MERP Index for Categorizing Medication Errors: the near-miss categories. */
export const nccMerpCategories = codeSystem({
  url: 'https://www.nccmerp.org/types-medication-errors',
  title: 'NCC MERP medication error category',
  concepts: {
    A: 'Circumstances or events that have the capacity to cause error',
    B: 'An error occurred but did not reach the patient',
  },
});

/** HL7 FHIR AdverseEvent category (terminology.hl7.org). */
export const fhirAdverseEventCategories = codeSystem({
  url: 'http://terminology.hl7.org/CodeSystem/adverse-event-category',
  title: 'HL7 FHIR AdverseEvent category',
  concepts: {
    'product-problem': 'Product Problem',
    'product-quality': 'Product Quality',
    'product-use-error': 'Product Use Error',
    'wrong-dose': 'Wrong Dose',
    'incorrect-prescribing-information': 'Incorrect Prescribing Information',
    'wrong-technique': 'Wrong Technique',
    'wrong-route-of-administration': 'Wrong Route of Administration',
    'wrong-rate': 'Wrong Rate',
    'wrong-duration': 'Wrong Duration',
    'wrong-time': 'Wrong Time',
    'expired-drug': 'Expired Drug',
    'medical-device-use-error': 'Medical Device Use Error',
    'problem-different-manufacturer': 'Problem with Different Manufacturer of Same Medicine',
    'unsafe-physical-environment': 'Unsafe Physical Environment',
    'hospital-aquired-infection': 'Hospital Acquired Infection',
    'wrong-body-site': 'Wrong Body Site',
    'wrong-patient': 'Wrong Patient',
    'medication-mishap': 'Medication Mishap',
    'procedure-mishap': 'Procedure Mishap',
    device: 'Device',
  },
});

export type LfpseEventType = keyof typeof lfpseEventTypes.concepts;
export type LfpseMedicationProcessStage = keyof typeof lfpseMedicationProcessStages.concepts;
export type AhrqEventCategory = keyof typeof ahrqEventCategories.concepts;
export type NccMerpCategory = keyof typeof nccMerpCategories.concepts;
export type FhirAdverseEventCategory = keyof typeof fhirAdverseEventCategories.concepts;

/** Every code system, for checks and docs. */
export const codeSystems: readonly CodeSystem[] = [
  lfpseEventTypes,
  lfpseHarmLevels,
  lfpseMedicationProcessStages,
  lfpseDetectionPoints,
  ahrqEventTypes,
  ahrqEventCategories,
  ahrqReachPrevention,
  ahrqHandoverInvolvement,
  nccMerpCategories,
  fhirAdverseEventCategories,
];

/** Whether `code` is one of the system's codes (false for an unknown system). */
export function isCodeOf(systemUrl: string, code: string): boolean {
  const system = codeSystems.find((candidate) => candidate.url === systemUrl);
  return system !== undefined && Object.hasOwn(system.concepts, code);
}

export interface Coding {
  system: string;
  code: string;
  display?: string;
}

/** A coding of one of the lists, with its display. */
export function codingOf<Code extends string>(system: CodeSystem<Code>, code: Code): Coding {
  return { system: system.url, code, display: system.concepts[code] };
}
