import type { CategoryDefinition, ReportFacts } from '../../plugins/sdk';
import type { ActualHarmValue } from '../domain/vocabulary';
import {
  ahrqEventCategories,
  ahrqEventTypes,
  ahrqHandoverInvolvement,
  ahrqReachPrevention,
  codingOf,
  fhirAdverseEventCategories,
  lfpseDetectionPoints,
  lfpseEventTypes,
  lfpseHarmLevels,
  lfpseMedicationProcessStages,
  type Coding,
  type FhirAdverseEventCategory,
  type NccMerpCategory,
} from './code-systems';

/*
 * A near miss in outside taxonomies, from its category's declared mapping
 * (plugins/sdk `standards`) and the report's core fields. Plain data in,
 * codings out: FHIR, exports and GraphQL print the same codes.
 */

export interface StandardCodesValue {
  lfpse: Coding[];
  ahrq: Coding[];
  /** Stored when the medication report was made (A or B). */
  nccMerp?: NccMerpCategory;
  fhirCategory: Coding[];
}

export interface CodingInput {
  facts: ReportFacts;
  nccMerp?: string | null;
  /** Set once the near miss was reclassified as an incident. */
  reclassifiedHarm?: ActualHarmValue | null;
}

export const lfpseHarmOf: Record<ActualHarmValue, keyof typeof lfpseHarmLevels.concepts> = {
  NO_HARM: 'no-harm',
  LOW: 'low',
  MODERATE: 'moderate',
  SEVERE: 'severe',
  DEATH: 'fatal',
};

export const detectionPointOf = {
  SYSTEM_CONTROL: 'planned-check',
  INDIVIDUAL_VIGILANCE: 'staff-vigilance',
  CHANCE: 'chance',
} as const satisfies Record<ReportFacts['preventionReliability'], keyof typeof lfpseDetectionPoints.concepts>;

/** Handover involvement: the exposed workflow stage, or a contributing factor naming a handover. */
export function handoverInvolvement(facts: Pick<ReportFacts, 'workflowStage' | 'contributingFactors'>) {
  if (facts.workflowStage === 'HANDOVER') return 'yes' as const;
  if (facts.contributingFactors.some((factor) => /hand[- ]?(over|off)/i.test(factor))) return 'yes' as const;
  return facts.workflowStage ? ('no' as const) : ('unknown' as const);
}

/** The category's FHIR AdverseEvent category code, when it is one of the list's. */
const fhirCategoryOf = (code: string): Coding[] =>
  Object.hasOwn(fhirAdverseEventCategories.concepts, code)
    ? [codingOf(fhirAdverseEventCategories, code as FhirAdverseEventCategory)]
    : [];

/** Every code of a near miss; `definition` undefined when its category is no longer installed. */
export function standardCodesOf(definition: CategoryDefinition | undefined, input: CodingInput): StandardCodesValue {
  const { facts, reclassifiedHarm } = input;
  const lfpse = definition?.standards.lfpse;
  const stage = lfpse?.medicationProcessStage?.(facts);
  const reachedThePerson = reclassifiedHarm !== undefined && reclassifiedHarm !== null;
  return {
    lfpse: [
      codingOf(lfpseEventTypes, lfpse?.eventType ?? 'other'),
      codingOf(lfpseHarmLevels, reachedThePerson ? lfpseHarmOf[reclassifiedHarm] : 'no-harm'),
      ...(stage ? [codingOf(lfpseMedicationProcessStages, stage)] : []),
      codingOf(lfpseDetectionPoints, detectionPointOf[facts.preventionReliability]),
    ],
    ahrq: [
      codingOf(ahrqEventTypes, reachedThePerson ? 'incident' : 'near-miss'),
      codingOf(ahrqEventCategories, definition?.standards.ahrq?.eventCategory ?? 'other'),
      ...(reachedThePerson
        ? []
        : [codingOf(ahrqReachPrevention, facts.preventionReliability === 'CHANCE' ? 'chance' : 'active-recovery')]),
      codingOf(ahrqHandoverInvolvement, handoverInvolvement(facts)),
    ],
    nccMerp: input.nccMerp === 'A' || input.nccMerp === 'B' ? input.nccMerp : undefined,
    fhirCategory: definition ? fhirCategoryOf(definition.standards.fhirAdverseEventCategory) : [],
  };
}
