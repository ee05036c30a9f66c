// The domain's fixed vocabularies, shared by the GraphQL enums, the database
// checks and the plugin SDK. Values are the contract's enum values.

export const nearMissStatuses = [
  'REPORTED',
  'ACKNOWLEDGED',
  'TRIAGED',
  'ACTIONS_IN_PROGRESS',
  'VERIFYING',
  'CLOSED',
  'REOPENED',
] as const;
export type NearMissStatusValue = (typeof nearMissStatuses)[number];

export const preventionReliabilities = ['SYSTEM_CONTROL', 'INDIVIDUAL_VIGILANCE', 'CHANCE'] as const;
export type PreventionReliabilityValue = (typeof preventionReliabilities)[number];

/** Ordered from least to most serious. */
export const potentialHarms = ['NONE', 'LOW', 'MODERATE', 'SEVERE', 'CATASTROPHIC'] as const;
export type PotentialHarmValue = (typeof potentialHarms)[number];

/** The harm an event did once it is known to have reached the person (reclassification), least to most serious. */
export const actualHarms = ['NO_HARM', 'LOW', 'MODERATE', 'SEVERE', 'DEATH'] as const;
export type ActualHarmValue = (typeof actualHarms)[number];

export const careSettings = [
  'HOME_VISIT',
  'SUPPORTED_LIVING',
  'RESIDENTIAL',
  'DAY_SERVICE',
  'COMMUNITY',
  'TRANSPORT',
  'OTHER',
] as const;
export type CareSettingValue = (typeof careSettings)[number];

export const workflowStages = [
  'PRESCRIBING_OR_PHARMACY',
  'HANDOVER',
  'SCHEDULING',
  'ALLOCATION',
  'ADMINISTRATION',
  'DOCUMENTATION',
  'ESCALATION',
  'TRANSPORT',
  'MEAL_PREPARATION',
  'ENVIRONMENT',
  'COMMUNICATION',
  'OTHER',
] as const;
export type WorkflowStageValue = (typeof workflowStages)[number];

/** Ordered by precedence when several rules suggest different routes. */
export const triageRoutes = [
  'SAFEGUARDING_REVIEW',
  'MEDICATION_SAFETY_REVIEW',
  'OPERATIONAL_FIX',
  'TREND_MONITORING',
] as const;
export type TriageRouteValue = (typeof triageRoutes)[number];

/**
 * What a corrective action answers for, so which later near miss reopens it:
 * the same person and details (the category's similarity), or the same kind
 * of near miss to anyone in the action's services (the category's `kind`).
 */
export const recurrenceScopes = ['SAME_PERSON', 'SAME_KIND_IN_SERVICES'] as const;
export type RecurrenceScopeValue = (typeof recurrenceScopes)[number];

export const verificationMethods = ['AUDIT', 'SPOT_CHECK', 'OBSERVATION', 'RECORD_REVIEW', 'FEEDBACK'] as const;
export type VerificationMethodValue = (typeof verificationMethods)[number];

/** How a reporter is known: by name, to triage leads and managers only, or not at all (see near-misses/reporter-identity.ts). */
export const reporterIdentities = ['NAMED', 'CONFIDENTIAL', 'ANONYMOUS'] as const;
export type ReporterIdentityValue = (typeof reporterIdentities)[number];

/** How someone who had to be told was told. */
export const notificationMethods = ['IN_PERSON', 'PHONE', 'EMAIL', 'SECURE_MESSAGE', 'PORTAL', 'LETTER'] as const;
export type NotificationMethodValue = (typeof notificationMethods)[number];

/** How an organisation responds to learn (PSIRF): from a quick huddle to a root cause analysis. */
export const learningResponseMethods = [
  'SWARM_HUDDLE',
  'AFTER_ACTION_REVIEW',
  'THEMATIC_REVIEW',
  'MDT_REVIEW',
  'RCA',
] as const;
export type LearningResponseMethodValue = (typeof learningResponseMethods)[number];

export const harmAtLeast = (harm: PotentialHarmValue, threshold: PotentialHarmValue) =>
  potentialHarms.indexOf(harm) >= potentialHarms.indexOf(threshold);
