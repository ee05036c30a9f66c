/**
 * The category plugin SDK: what a near-miss category declares and how the core
 * reads it. See `plugins/README.md` for a walkthrough.
 * @packageDocumentation
 */
import { z } from 'zod';
import {
  harmAtLeast,
  type CareSettingValue,
  type PotentialHarmValue,
  type PreventionReliabilityValue,
  type RecurrenceScopeValue,
  type TriageRouteValue,
  type VerificationMethodValue,
  type WorkflowStageValue,
} from '../../subgraph/domain/vocabulary';
import type { Role } from '../../subgraph/auth/role';
import {
  ahrqEventCategories,
  fhirAdverseEventCategories,
  lfpseEventTypes,
  lfpseMedicationProcessStages,
  nccMerpCategories,
  type AhrqEventCategory,
  type FhirAdverseEventCategory,
  type LfpseEventType,
  type LfpseMedicationProcessStage,
  type NccMerpCategory,
} from '../../subgraph/standards/code-systems';

export { z, harmAtLeast };
export type {
  AhrqEventCategory,
  FhirAdverseEventCategory,
  LfpseEventType,
  LfpseMedicationProcessStage,
  NccMerpCategory,
};

/** The code lists a category's `standards` choose from (code -> display), by field. */
export const standardCodeSystems = {
  fhirAdverseEventCategory: fhirAdverseEventCategories,
  nccMerp: nccMerpCategories,
  'lfpse.eventType': lfpseEventTypes,
  'lfpse.medicationProcessStage': lfpseMedicationProcessStages,
  'ahrq.eventCategory': ahrqEventCategories,
} as const;
export type {
  CareSettingValue as CareSetting,
  PotentialHarmValue as PotentialHarm,
  PreventionReliabilityValue as PreventionReliability,
  RecurrenceScopeValue as RecurrenceScope,
  TriageRouteValue as TriageRoute,
  VerificationMethodValue as VerificationMethod,
  WorkflowStageValue as WorkflowStage,
};

/** A role from the caller's token, e.g. `SAFEGUARDING_LEAD` (the core's `Role` enum). */
export type RoleName = `${Role}`;

/** The zod object schema of a category's own fields (`details`). */
export type DetailsSchema = z.ZodObject<z.ZodRawShape>;

/**
 * Free text a person types: at most `max` characters (Unicode code points),
 * not blank, stored trimmed. The published JSON Schema says exactly this
 * (`maxLength` and `pattern: "\\S"`), so a form refuses what the server refuses;
 * `z.string().trim().min(1)` would publish a schema that lets blanks through.
 */
export const text = (max: number) => z.string().max(max).regex(/\S/, 'must not be blank').trim();

/** A value a condition can test: an enum member, a boolean or a number. */
export type ConditionValue = string | number | boolean;

/**
 * A requirement that holds only for some reports, e.g. "a texture near miss
 * needs both IDDSI levels". The core enforces it on every report and publishes
 * it in the category's JSON Schema as `if`/`then`, so a form rendered from the
 * schema knows it too.
 */
export interface DetailsCondition<Details = Record<string, unknown>> {
  /**
   * When every listed field has the value given (or one of the values, for an
   * array). Fields here must be enums, booleans or numbers; a field with a
   * default counts as having it when left out.
   */
  when: Partial<Record<Extract<keyof Details, string>, ConditionValue | readonly ConditionValue[]>>;
  /** ...these fields must then be given (fields without a default). */
  require?: Extract<keyof Details, string>[];
  /** ...and these fields must then have exactly these values. */
  equal?: Partial<Record<Extract<keyof Details, string>, ConditionValue>>;
  /** What the form and the error say on each field that breaks it, e.g. `is required for a texture near miss`. */
  message: string;
}

/**
 * What rules, gates and similarity see of a report: the core fields that
 * matter for routing plus the category's validated `details`.
 */
export interface ReportFacts<Details = Record<string, unknown>> {
  /** Category key, e.g. `medication`. */
  category: string;
  serviceId: string;
  setting: CareSettingValue;
  potentialHarm: PotentialHarmValue;
  preventionReliability: PreventionReliabilityValue;
  workflowStage?: WorkflowStageValue;
  contributingFactors: string[];
  /**
   * The contributing factors as codes of the provider's taxonomy (`contributingFactors`
   * query), when the core has coded them: `OTHER` for text that matched no factor.
   */
  contributingFactorCodes?: string[];
  /** The free-text factors coded `OTHER`, as written. */
  otherContributingFactors?: string[];
  /** Host ids of what the report is linked to, when given. */
  personId?: string;
  visitId?: string;
  medicationRecordId?: string;
  shiftId?: string;
  carePlanId?: string;
  occurredAt: Date;
  /** The category's own fields, already validated by its `details` schema. */
  details: Details;
}

/**
 * A triage rule: when `when` holds for a report, the rule suggests a route,
 * same-day handling and people to notify. Rules suggest; a human decides.
 */
export interface TriageRule<Details> {
  /** Stable id, shown in the triage rationale (kebab-case). */
  id: string;
  /** Plain words for the triage lead: why this rule exists. */
  description: string;
  when: (report: ReportFacts<Details>) => boolean;
  /** Route to suggest when the rule fires; the most serious route among fired rules wins. */
  route?: TriageRouteValue;
  /** Triage is due the same day when any fired rule says so. */
  sameDay?: boolean;
  /** Who must be told, in plain words (e.g. `on-call nurse`, `safeguarding lead`). */
  notify?: string[];
}

/** A "cannot proceed without" checklist item. */
export interface GateDefinition<Details> {
  /** Stable key (kebab-case), used by `completeGateItem` and `GATE_BLOCKED.missing`. */
  key: string;
  label: string;
  /** When present, the item applies only to reports for which it returns true. */
  appliesWhen?: (report: ReportFacts<Details>) => boolean;
}

/** A suggested verification series for corrective actions of this category. */
export interface VerificationTemplate {
  method: VerificationMethodValue;
  /** What the check looks at, in plain words. */
  description: string;
  everyDays: number;
  count: number;
}

/**
 * Outside taxonomies the category maps to, so FHIR, exports and
 * `NearMiss.standardCodes` need no core change. Every code comes from the
 * lists in `standardCodeSystems` (docs/standards.md prints them); the registry
 * refuses a code outside them at boot.
 */
export interface StandardsMapping<Details> {
  /** HL7 FHIR AdverseEvent category code, e.g. `medication-mishap`. */
  fhirAdverseEventCategory: FhirAdverseEventCategory;
  /**
   * NCC MERP category of a medication near miss: A (circumstances with the
   * capacity to cause error) or B (an error that did not reach the person).
   * Computed and stored when the report is made.
   */
  nccMerp?: (report: ReportFacts<Details>) => NccMerpCategory;
  /** NHS LFPSE. Defaults to event type `other`. */
  lfpse?: {
    eventType: LfpseEventType;
    /** The medication process stage, for medication categories. */
    medicationProcessStage?: (report: ReportFacts<Details>) => LfpseMedicationProcessStage;
  };
  /** AHRQ Common Formats. Defaults to event category `other`. */
  ahrq?: { eventCategory: AhrqEventCategory };
}

/** Everything a category declares. */
export interface CategoryDefinition<Schema extends DetailsSchema = DetailsSchema> {
  /** Unique kebab-case key, e.g. `medication`, `infection-prevention`. */
  key: string;
  label: string;
  description: string;
  /** Integer, bumped whenever the details schema changes; each report stores the version it was validated with. */
  version: number;
  /** The category's own fields. Titles and descriptions (`.meta({ title, description })`) label the host form. */
  details: Schema;
  /**
   * Requirements that depend on other fields' values (published as JSON Schema
   * `if`/`then`). Prefer these to `.superRefine()`: a refinement still runs on
   * the server, but a form rendered from the schema cannot see it.
   */
  conditions?: DetailsCondition<z.output<Schema>>[];
  /**
   * JSON Schema `dependentRequired`: when the key field is given, the listed
   * fields must be given too (key fields must not have a default).
   */
  dependentRequired?: Partial<
    Record<Extract<keyof z.output<Schema>, string>, Extract<keyof z.output<Schema>, string>[]>
  >;
  /** A valid `details` value: used to check the plugin at boot and in the shared contract test. */
  example: z.input<Schema>;
  /** Route when no rule fires. Defaults to `TREND_MONITORING`. */
  defaultRoute?: TriageRouteValue;
  triage: TriageRule<z.output<Schema>>[];
  gates: GateDefinition<z.output<Schema>>[];
  verification: VerificationTemplate[];
  /**
   * The fields that make two reports of this category "similar" for the repeat
   * trigger: core link fields (`personId`, `serviceId`, `visitId`, ...) and
   * `details.<field>` paths.
   */
  similarity: SimilarityField<z.output<Schema>>[];
  /**
   * The fields that make two reports "the same kind of near miss" whoever it
   * happened to: a corrective action with recurrence scope
   * `SAME_KIND_IN_SERVICES` (a control across its services) reopens on the
   * same kind in its services. Defaults to the `details.` fields of
   * `similarity`; an empty list means any near miss of the category.
   * @example kind: ['details.discrepancyType']
   */
  kind?: SimilarityField<z.output<Schema>>[];
  /**
   * The recurrence scope suggested for corrective actions on this category's
   * near misses when the triage lead names none: `SAME_PERSON` (default) or
   * `SAME_KIND_IN_SERVICES`.
   */
  recurrenceScope?: RecurrenceScopeValue;
  /** Extra contributing factors offered on the form. */
  contributingFactors?: string[];
  /** Workflow stages this category usually exposes. */
  workflowStages?: WorkflowStageValue[];
  standards: StandardsMapping<z.output<Schema>>;
  /**
   * Restricted access: when set, only callers holding one of these roles (plus
   * ADMIN, who holds every read) and the report's own reporter can read this
   * category's reports. Everyone else in the service does not see them at all:
   * not in lists, by id, through host entities or `_entities`, exports or the
   * event feed; analytics still count them in aggregates. Mutations on a report
   * the caller cannot read answer NOT_FOUND. Omit for an ordinary category.
   * @example restrictedTo: ['SAFEGUARDING_LEAD', 'MANAGER']
   */
  restrictedTo?: readonly RoleName[];
  /**
   * Reads a report stored under an older `version` into today's shape, so old
   * reports stay readable after a schema change. Defaults to returning it as stored.
   */
  upgradeDetails?: (stored: Record<string, unknown>, storedVersion: number) => Record<string, unknown>;
}

export type SimilarityField<Details> =
  | 'personId'
  | 'serviceId'
  | 'visitId'
  | 'medicationRecordId'
  | 'shiftId'
  | 'carePlanId'
  | 'workflowStage'
  | 'setting'
  | `details.${Extract<keyof Details, string>}`;

/**
 * Declares a category. Typing only: the registry validates every definition
 * at boot and refuses to start on a bad one.
 */
export function defineCategory<Schema extends DetailsSchema>(
  definition: CategoryDefinition<Schema>,
): CategoryDefinition<Schema> {
  return definition;
}

/** What an outside plugin module may export as a factory, to use the core's own zod. */
export interface PluginToolkit {
  z: typeof z;
  text: typeof text;
  defineCategory: typeof defineCategory;
  harmAtLeast: typeof harmAtLeast;
  standardCodeSystems: typeof standardCodeSystems;
}

export const toolkit: PluginToolkit = { z, text, defineCategory, harmAtLeast, standardCodeSystems };
