import { defineCategory, z } from '../sdk';

const issueTypes = [
  'ALLOCATION_ERROR',
  'VISIT_NEARLY_MISSED',
  'VISIT_NEARLY_LATE',
  'DOUBLE_BOOKED',
  'SKILLS_MISMATCH',
  'TRAVEL_TIME_UNREALISTIC',
  'OTHER',
] as const;
const allocationChanges = [
  'NO_CHANGE',
  'LAST_MINUTE_AMENDMENT',
  'CHANGE_NOT_COMMUNICATED',
  'STAFF_UNAVAILABLE',
  'LATE_STAFF_CONFIRMATION',
] as const;
const spotters = [
  'CARE_COORDINATOR',
  'CARE_WORKER',
  'SUPERVISOR',
  'CALL_MONITORING_ALERT',
  'PERSON_OR_FAMILY',
  'OTHER',
] as const;

const allocationIssues: readonly string[] = [
  'ALLOCATION_ERROR',
  'DOUBLE_BOOKED',
  'VISIT_NEARLY_MISSED',
  'SKILLS_MISMATCH',
];

const details = z.object({
  visitTime: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'use HH:MM (24-hour)')
    .meta({ title: 'Visit time', description: 'When the visit was due, HH:MM' }),
  issueType: z.enum(issueTypes).meta({ title: 'What nearly went wrong' }),
  allocationChange: z
    .enum(allocationChanges)
    .meta({ title: 'Allocation change', description: 'What happened to the allocation before it was spotted' }),
  timeCriticalVisit: z.boolean().meta({
    title: 'Time-critical visit',
    description:
      'The visit must happen at a set time: time-critical medicines, insulin, a two-carer transfer, a person who cannot be left',
  }),
  spottedBy: z.enum(spotters).meta({ title: 'Who spotted it' }),
  minutesBeforeVisit: z
    .number()
    .int()
    .min(0)
    .max(60 * 24 * 14)
    .optional()
    .meta({
      title: 'Spotted how long before the visit (minutes)',
      description: 'Leave empty if it was spotted after the visit time',
    }),
});

/** Rota near misses: visits nearly missed or late through allocation errors, including time-critical visits. */
export const rota = defineCategory({
  key: 'rota',
  label: 'Rota and missed visits',
  description:
    'A visit nearly missed or late: an allocation error, a double booking, a skills mismatch or unrealistic travel time spotted before the visit time.',
  version: 1,
  details,
  example: {
    visitTime: '07:30',
    issueType: 'ALLOCATION_ERROR',
    allocationChange: 'LAST_MINUTE_AMENDMENT',
    timeCriticalVisit: true,
    spottedBy: 'CARE_COORDINATOR',
    minutesBeforeVisit: 90,
  },
  triage: [
    {
      id: 'time-critical-visit',
      description: 'A time-critical visit was at risk: check every other time-critical visit on the rota today.',
      when: (report) => report.details.timeCriticalVisit,
      route: 'OPERATIONAL_FIX',
      sameDay: true,
      notify: ['registered manager'],
    },
    {
      id: 'allocation-gap',
      description:
        'The rota allowed a visit to go unallocated, double-booked or to the wrong skills: the rota checking rules need fixing.',
      when: (report) => allocationIssues.includes(report.details.issueType),
      route: 'OPERATIONAL_FIX',
    },
    {
      id: 'unrealistic-travel-time',
      description: 'The rota assumed travel time staff cannot achieve.',
      when: (report) => report.details.issueType === 'TRAVEL_TIME_UNREALISTIC',
      route: 'OPERATIONAL_FIX',
    },
    {
      id: 'noticed-by-person-or-family',
      description: 'The person or their family noticed first: they may be uncertain the service is reliable.',
      when: (report) => report.details.spottedBy === 'PERSON_OR_FAMILY',
      notify: ['case manager', 'family representative'],
    },
  ],
  gates: [
    { key: 'visit-covered', label: 'Visit confirmed covered by a named, suitable staff member' },
    { key: 'rota-change-history-reviewed', label: 'Rota change history reviewed: how the error occurred' },
    {
      key: 'workflow-stage-identified',
      label: 'The part of the workflow that allowed it identified (scheduling, allocation, travel time, handover)',
    },
    {
      key: 'high-priority-visits-checked',
      label: 'Other time-critical and high-priority visits checked for the same gap',
      appliesWhen: (report) => report.details.timeCriticalVisit || allocationIssues.includes(report.details.issueType),
    },
    {
      key: 'person-told-what-changed',
      label: 'Person or family told what happened and what changed',
      appliesWhen: (report) => report.details.spottedBy === 'PERSON_OR_FAMILY',
    },
  ],
  verification: [
    {
      method: 'AUDIT',
      description: 'Weekly rota audit of time-critical and high-priority visit allocations',
      everyDays: 7,
      count: 8,
    },
    {
      method: 'RECORD_REVIEW',
      description: 'Call monitoring times against planned times for time-critical visits',
      everyDays: 14,
      count: 4,
    },
    {
      method: 'FEEDBACK',
      description: 'Feedback from people using the service on visit reliability',
      everyDays: 28,
      count: 2,
    },
  ],
  similarity: ['serviceId', 'details.issueType'],
  // Its controls are the service's (storage, allocation, scheduling): the same kind anywhere in their services reopens them.
  recurrenceScope: 'SAME_KIND_IN_SERVICES',
  contributingFactors: [
    'last-minute rota amendment',
    'coordinator workload',
    'late staff confirmation',
    'travel time not allowed for',
    'sickness cover',
  ],
  workflowStages: ['SCHEDULING', 'ALLOCATION', 'HANDOVER', 'COMMUNICATION'],
  standards: {
    fhirAdverseEventCategory: 'procedure-mishap',
    lfpse: { eventType: 'access-transfer-discharge' },
    ahrq: { eventCategory: 'other' },
  },
});
