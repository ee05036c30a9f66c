import { defineCategory, z } from '../sdk';

const escalationTypes = ['MISSED_ESCALATION', 'LATE_ESCALATION', 'GRADUAL_DETERIORATION'] as const;
const signs = [
  'CONFUSION',
  'REDUCED_FOOD_OR_FLUID_INTAKE',
  'BREATHING_CHANGE',
  'PAIN',
  'FEVER_OR_INFECTION_SIGNS',
  'MOBILITY_CHANGE',
  'SKIN_CHANGE',
  'CONTINENCE_CHANGE',
  'BEHAVIOUR_OR_MOOD_CHANGE',
  'RECURRING_HEALTH_COMPLAINT',
  'OTHER',
] as const;
const detectionRoutes = [
  'THRESHOLD_PROMPT',
  'STAFF_JUDGEMENT',
  'LATE_RECORD_REVIEW',
  'PERSON_OR_FAMILY',
  'OTHER',
] as const;

/** Consults later than this after the first recorded sign count as late. */
export const lateConsultHours = 24;

const details = z.object({
  escalationType: z.enum(escalationTypes).meta({
    title: 'Kind of escalation near miss',
    description: 'Missed (recorded but not escalated), late, or gradual deterioration caught across visits',
  }),
  signsObserved: z
    .array(z.enum(signs))
    .min(1, 'record at least one sign')
    .max(signs.length)
    .meta({ title: 'Signs observed' }),
  visitsWithSigns: z
    .number()
    .int()
    .min(1)
    .max(100)
    .meta({ title: 'Visits with signs', description: 'Over how many visits or shifts the signs were recorded' }),
  thresholdPromptShown: z.boolean().meta({
    title: 'Threshold prompt shown',
    description: 'The documentation flagged the signs as needing clinical consultation',
  }),
  detectedBy: z.enum(detectionRoutes).meta({ title: 'How the signal was picked up' }),
  hoursToClinicalConsult: z
    .number()
    .min(0)
    .max(24 * 60)
    .optional()
    .meta({
      title: 'Time to clinical consult (hours)',
      description:
        'From the first recorded sign to the nurse, clinical lead or GP consult; leave empty if none has happened yet',
    }),
  currentStatusConfirmed: z
    .boolean()
    .meta({ title: 'Person’s current condition confirmed', description: 'Someone has checked how the person is now' }),
  monitoringPlanAgreed: z
    .boolean()
    .default(false)
    .meta({ title: 'Monitoring plan agreed', description: 'A next-step plan with monitoring frequency is recorded' }),
});

/** Escalation near misses: signs recorded but not escalated, late escalation, gradual deterioration caught across visits. */
export const escalation = defineCategory({
  key: 'escalation',
  label: 'Clinical escalation',
  description:
    'A change in a person’s health that was nearly not escalated in time: a recurring complaint recorded but not escalated, a late clinical consult, gradual deterioration across visits.',
  version: 1,
  details,
  example: {
    escalationType: 'MISSED_ESCALATION',
    signsObserved: ['RECURRING_HEALTH_COMPLAINT'],
    visitsWithSigns: 4,
    thresholdPromptShown: false,
    detectedBy: 'LATE_RECORD_REVIEW',
    currentStatusConfirmed: true,
  },
  triage: [
    {
      id: 'no-clinical-consult-yet',
      description:
        'Nobody with clinical oversight has seen the signs yet: a same-day review with the on-call nurse or clinical lead.',
      when: (report) => report.details.hoursToClinicalConsult === undefined,
      route: 'OPERATIONAL_FIX',
      sameDay: true,
      notify: ['on-call nurse', 'clinical lead'],
    },
    {
      id: 'missed-escalation',
      description:
        'Signs were recorded but not escalated: review thresholds, documentation and supervision the same day.',
      when: (report) => report.details.escalationType === 'MISSED_ESCALATION',
      route: 'OPERATIONAL_FIX',
      sameDay: true,
      notify: ['clinical lead', 'case manager'],
    },
    {
      id: 'late-clinical-consult',
      description: `The clinical consult came more than ${lateConsultHours} hours after the first sign.`,
      when: (report) => (report.details.hoursToClinicalConsult ?? 0) > lateConsultHours,
      route: 'OPERATIONAL_FIX',
      notify: ['clinical lead'],
    },
    {
      id: 'no-threshold-prompt',
      description:
        'The signs were found later, not flagged at the point of care: the documentation needs a structured escalation prompt.',
      when: (report) =>
        !report.details.thresholdPromptShown &&
        (report.details.detectedBy === 'LATE_RECORD_REVIEW' || report.details.detectedBy === 'PERSON_OR_FAMILY'),
      route: 'OPERATIONAL_FIX',
    },
    {
      id: 'deterioration-without-monitoring-plan',
      description: 'Gradual deterioration with no agreed monitoring plan: agree one today.',
      when: (report) =>
        report.details.escalationType === 'GRADUAL_DETERIORATION' && !report.details.monitoringPlanAgreed,
      sameDay: true,
      notify: ['clinical lead'],
    },
    {
      id: 'status-not-confirmed',
      description: 'Nobody has yet confirmed how the person is now.',
      when: (report) => !report.details.currentStatusConfirmed,
      sameDay: true,
      notify: ['on-call nurse'],
    },
  ],
  gates: [
    { key: 'current-status-confirmed', label: 'Person’s current condition confirmed with the team' },
    { key: 'clinical-consult-documented', label: 'Clinical consult and its outcome documented' },
    {
      key: 'monitoring-plan-recorded',
      label: 'Next-step plan and monitoring frequency recorded',
      appliesWhen: (report) =>
        report.details.escalationType === 'GRADUAL_DETERIORATION' || report.details.visitsWithSigns > 1,
    },
    {
      key: 'escalation-barrier-identified',
      label: 'What held escalation back identified (threshold, documentation, supervision)',
      appliesWhen: (report) =>
        report.details.escalationType !== 'GRADUAL_DETERIORATION' || !report.details.thresholdPromptShown,
    },
    {
      key: 'supervisor-review-cadence-set',
      label: 'Supervisor review cadence set for this person',
      appliesWhen: (report) => report.details.escalationType === 'MISSED_ESCALATION',
    },
  ],
  verification: [
    {
      method: 'RECORD_REVIEW',
      description: 'Daily notes of higher-risk people: escalation prompts acted on and supervisor review on schedule',
      everyDays: 14,
      count: 6,
    },
    {
      method: 'AUDIT',
      description: 'Time from threshold prompt to clinical consult against the agreed timeframe',
      everyDays: 30,
      count: 3,
    },
  ],
  similarity: ['personId', 'details.escalationType'],
  contributingFactors: [
    'unclear escalation threshold',
    'fragmented documentation',
    'supervision not available',
    'fear of overreacting',
    'agency staff unfamiliar with the person',
    'weekend cover',
  ],
  workflowStages: ['ESCALATION', 'DOCUMENTATION', 'HANDOVER', 'COMMUNICATION'],
  standards: {
    fhirAdverseEventCategory: 'procedure-mishap',
    lfpse: { eventType: 'clinical-assessment' },
    ahrq: { eventCategory: 'other' },
  },
});
