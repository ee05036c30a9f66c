import { defineCategory, text, z } from '../sdk';

const cues = [
  'APPROACHED_BY_UNKNOWN_PERSON',
  'EXPLOITATION_CUE',
  'BOUNDARY_TESTING',
  'RISK_OF_GOING_MISSING',
  'DISCLOSURE',
  'NEGLECT_OR_OMISSION',
  'RESTRICTIVE_PRACTICE',
  'UNSAFE_VISITOR_OR_CONTACT',
  'OTHER',
] as const;

const details = z.object({
  cueObserved: z.enum(cues).meta({
    title: 'Safeguarding cue observed',
    description:
      'The early sign of risk staff noticed, e.g. being repeatedly approached by an unknown adult on an outing',
  }),
  cueSeenBefore: z
    .boolean()
    .default(false)
    .meta({ title: 'Seen before', description: 'The same cue has been noticed before for this person' }),
  safetyPlanInPlace: z.boolean().meta({
    title: 'Safety plan covered this',
    description: 'The person’s safety plan or risk plan covered this situation',
  }),
  safetyPlanStepUsed: text(500).meta({
    title: 'Safety plan step used',
    description: 'What staff did, e.g. "followed the safety script and moved to a safer location"',
  }),
  riskContinues: z
    .boolean()
    .default(false)
    .meta({ title: 'Risk continues', description: 'The risk may still be present, e.g. the same adult may return' }),
  safeguardingLeadInformed: z.boolean().meta({ title: 'Safeguarding lead informed' }),
});

/** Safeguarding near misses: early cues of abuse, exploitation or going missing, caught before harm. */
export const safeguarding = defineCategory({
  key: 'safeguarding',
  label: 'Safeguarding',
  description:
    'An early safeguarding cue caught before harm: a person approached by an unknown adult, exploitation or boundary-testing cues, a risk of going missing, a restrictive practice nearly used.',
  version: 1,
  // Disclosures and exploitation cues are need-to-know: the safeguarding lead and managers, not the whole service.
  restrictedTo: ['SAFEGUARDING_LEAD', 'MANAGER'],
  details,
  example: {
    cueObserved: 'APPROACHED_BY_UNKNOWN_PERSON',
    cueSeenBefore: true,
    safetyPlanInPlace: true,
    safetyPlanStepUsed: 'Followed the safety script, moved to a safer location and alerted the supervisor',
    safeguardingLeadInformed: true,
  },
  defaultRoute: 'SAFEGUARDING_REVIEW',
  triage: [
    {
      id: 'safeguarding-cue',
      description: 'Any safeguarding cue goes to the safeguarding lead the same day.',
      when: (report) => Boolean(report.details.cueObserved),
      route: 'SAFEGUARDING_REVIEW',
      sameDay: true,
      notify: ['safeguarding lead'],
    },
    {
      id: 'repeated-cue',
      description:
        'The cue has been seen before: the person’s safety plan needs a rapid review with their case manager.',
      when: (report) => report.details.cueSeenBefore,
      notify: ['case manager'],
    },
    {
      id: 'no-safety-plan',
      description: 'No safety plan covered the situation: one must be written.',
      when: (report) => !report.details.safetyPlanInPlace,
      notify: ['case manager'],
    },
    {
      id: 'risk-continues',
      description: 'The risk may still be present: the registered manager decides on protective steps.',
      when: (report) => report.details.riskContinues,
      notify: ['registered manager'],
    },
    {
      id: 'restrictive-practice',
      description:
        'A restrictive practice was nearly used: the registered manager and commissioner oversee restrictive practice.',
      when: (report) => report.details.cueObserved === 'RESTRICTIVE_PRACTICE',
      notify: ['registered manager', 'commissioner'],
    },
  ],
  gates: [
    { key: 'person-safe-confirmed', label: 'Person confirmed safe now' },
    { key: 'safeguarding-lead-reviewed', label: 'Safeguarding lead reviewed the report' },
    { key: 'referral-decision-recorded', label: 'Decision on a safeguarding referral recorded, with the reason' },
    {
      key: 'safety-plan-reviewed',
      label: 'Safety plan reviewed and updates approved by a supervisor',
      appliesWhen: (report) => report.details.safetyPlanInPlace,
    },
    {
      key: 'safety-plan-written',
      label: 'Safety plan written for this situation',
      appliesWhen: (report) => !report.details.safetyPlanInPlace,
    },
    {
      key: 'team-briefed-on-cue',
      label: 'Team briefed on the cue and the agreed response',
      appliesWhen: (report) => report.details.cueSeenBefore || report.details.riskContinues,
    },
  ],
  verification: [
    {
      method: 'RECORD_REVIEW',
      description: 'Safety plan updates approved by a supervisor and in use',
      everyDays: 30,
      count: 3,
    },
    { method: 'OBSERVATION', description: 'Staff response to early-risk cues on outings', everyDays: 14, count: 3 },
    { method: 'FEEDBACK', description: 'Person and staff feedback on how safe outings feel', everyDays: 30, count: 3 },
  ],
  similarity: ['personId', 'details.cueObserved'],
  contributingFactors: [
    'safety plan out of date',
    'route or time of day',
    'supervision ratio',
    'cues missed in pre-outing checks',
  ],
  workflowStages: ['COMMUNICATION', 'TRANSPORT', 'HANDOVER'],
  // FHIR has no safeguarding code; community safeguarding cues are situational environmental risk.
  standards: {
    fhirAdverseEventCategory: 'unsafe-physical-environment',
    lfpse: { eventType: 'safeguarding-or-behaviour' },
    ahrq: { eventCategory: 'other' },
  },
});
