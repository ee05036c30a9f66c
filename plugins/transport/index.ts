import { defineCategory, text, z } from '../sdk';

const changeTypes = [
  'PICKUP_TIME_CHANGED',
  'PICKUP_CANCELLED',
  'DROP_OFF_CHANGED',
  'ROUTE_CHANGED',
  'TRANSPORT_PROVIDER_CHANGED',
  'SEATING_OR_VEHICLE_SETUP',
  'OTHER',
] as const;
const staffingAllocations = ['ALLOCATED_AS_PLANNED', 'ALLOCATED_LATE', 'COVERED_INFORMALLY', 'NOT_ALLOCATED'] as const;
const communicationSources = [
  'SCHEDULING_OFFICE',
  'TRANSPORT_PROVIDER_TO_SERVICE',
  'FAMILY_OR_REPRESENTATIVE',
  'STAFF_PERSONAL_PHONE',
  'NOT_COMMUNICATED',
] as const;
const personImpacts = ['NO_IMPACT', 'DELAY_OR_DISTRESS', 'NEARLY_UNSUPPORTED', 'APPOINTMENT_NEARLY_MISSED'] as const;

// A change that reached staff outside the controlled scheduling route is not a reliable process.
const uncontrolledSources: readonly string[] = ['STAFF_PERSONAL_PHONE', 'NOT_COMMUNICATED'];

const details = z.object({
  appointmentTime: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'use HH:MM (24-hour)')
    .meta({ title: 'Appointment time', description: 'When the person was due at the appointment or activity, HH:MM' }),
  journey: text(200).meta({
    title: 'Journey',
    description: 'From where to where, as the route is known in the schedule, e.g. "Home to Riverside day centre"',
  }),
  changeType: z
    .enum(changeTypes)
    .meta({ title: 'What changed', description: 'The transport change that nearly left the person unsupported' }),
  visitRescheduled: z.boolean().meta({
    title: 'Visit schedule adjusted',
    description: 'Was the support visit moved to match the transport change before staff were deployed?',
  }),
  staffingAllocation: z
    .enum(staffingAllocations)
    .meta({ title: 'Staffing allocation', description: 'How staff were allocated to support the journey' }),
  communicationSource: z
    .enum(communicationSources)
    .meta({ title: 'How the change was communicated', description: 'The route by which staff learnt of the change' }),
  personImpact: z
    .enum(personImpacts)
    .meta({ title: 'Impact on the person', description: 'What nearly happened to the person' }),
  elopementRisk: z.boolean().default(false).meta({
    title: 'Risk of leaving unsupported',
    description: 'Seating, drop-off or door arrangements could have let the person leave unsupported (elopement risk)',
  }),
  authorisedTimeConcern: z.boolean().default(false).meta({
    title: 'Authorised time may be too short',
    description:
      'The authorised support time may not allow safe preparation, travel disruption or post-activity support',
  }),
  caseManagerNotified: z.boolean().meta({ title: 'Case manager notified' }),
});

/** Transport near misses: pickup changes not reflected in the visit schedule, unsafe seating or drop-off arrangements. */
export const transport = defineCategory({
  key: 'transport',
  label: 'Transport',
  description:
    'A transport arrangement that nearly failed the person: a pickup changed without the visit being rescheduled, a journey nearly unsupported, seating or drop-off that raised an elopement risk.',
  version: 1,
  details,
  example: {
    appointmentTime: '09:30',
    journey: 'Home to Riverside day centre',
    changeType: 'PICKUP_TIME_CHANGED',
    visitRescheduled: false,
    staffingAllocation: 'COVERED_INFORMALLY',
    communicationSource: 'STAFF_PERSONAL_PHONE',
    personImpact: 'NEARLY_UNSUPPORTED',
    caseManagerNotified: false,
  },
  triage: [
    {
      id: 'elopement-risk',
      description:
        'Seating or drop-off could have let the person leave unsupported: a safeguarding implication, reviewed the same day.',
      when: (report) => report.details.elopementRisk,
      route: 'SAFEGUARDING_REVIEW',
      sameDay: true,
      notify: ['safeguarding lead'],
    },
    {
      id: 'next-journey-unstaffed',
      description:
        'The visit was not moved to match the change, or nobody was allocated: the next journey may fail the same way, so fix it today.',
      when: (report) => !report.details.visitRescheduled || report.details.staffingAllocation === 'NOT_ALLOCATED',
      route: 'OPERATIONAL_FIX',
      sameDay: true,
    },
    {
      id: 'uncontrolled-communication',
      description:
        'The change reached staff outside the scheduling office (a personal phone, or not at all): not a reliable process.',
      when: (report) =>
        uncontrolledSources.includes(report.details.communicationSource) ||
        report.details.staffingAllocation === 'COVERED_INFORMALLY',
      route: 'OPERATIONAL_FIX',
    },
    {
      id: 'authorised-time-concern',
      description: 'The authorised support time may not be realistic: the case manager and commissioner need to know.',
      when: (report) => report.details.authorisedTimeConcern,
      route: 'OPERATIONAL_FIX',
      notify: ['case manager', 'commissioner'],
    },
    {
      id: 'case-manager-not-told',
      description:
        'The person was nearly left unsupported or nearly missed the appointment and the case manager has not been told.',
      when: (report) => !report.details.caseManagerNotified && report.details.personImpact !== 'NO_IMPACT',
      notify: ['case manager'],
    },
  ],
  gates: [
    {
      key: 'revised-schedule-confirmed',
      label: 'Revised schedule confirmed, including the next three transport appointments',
    },
    { key: 'person-or-representative-told', label: 'Person or their representative told of the change' },
    { key: 'next-visit-staffed', label: 'Staff assigned for the next visit' },
    { key: 'authorised-time-reviewed', label: 'Reviewed whether the authorised support time remains realistic' },
    {
      key: 'route-checked-for-others',
      label: 'Other people on the same route checked for the same timing risk',
      appliesWhen: (report) => report.details.changeType !== 'SEATING_OR_VEHICLE_SETUP',
    },
    {
      key: 'risk-plan-updated',
      label: 'Individual risk plan and pre-transport checklist updated',
      appliesWhen: (report) => report.details.elopementRisk,
    },
    {
      key: 'case-manager-informed',
      label: 'Case manager informed',
      appliesWhen: (report) =>
        !report.details.caseManagerNotified &&
        (report.details.authorisedTimeConcern || report.details.personImpact !== 'NO_IMPACT'),
    },
  ],
  verification: [
    {
      method: 'RECORD_REVIEW',
      description:
        'Transport changes logged through the office and reflected in the visit schedule before staff are deployed',
      everyDays: 7,
      count: 4,
    },
    {
      method: 'SPOT_CHECK',
      description: 'Ride-along spot check that the pre-transport checklist is used',
      everyDays: 14,
      count: 3,
    },
    {
      method: 'FEEDBACK',
      description: 'Person or representative confirms the revised route worked',
      everyDays: 7,
      count: 2,
    },
  ],
  similarity: ['serviceId', 'details.journey'],
  // Its controls are the service's (storage, allocation, scheduling): the same kind anywhere in their services reopens them.
  recurrenceScope: 'SAME_KIND_IN_SERVICES',
  contributingFactors: [
    'transport change sent to one worker’s phone',
    'visit schedule not updated',
    'travel time underestimated',
    'authorised time too short',
    'pre-transport checks rushed',
  ],
  workflowStages: ['TRANSPORT', 'SCHEDULING', 'ALLOCATION', 'COMMUNICATION'],
  standards: {
    fhirAdverseEventCategory: 'procedure-mishap',
    lfpse: { eventType: 'access-transfer-discharge' },
    ahrq: { eventCategory: 'other' },
  },
});
