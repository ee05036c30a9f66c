import { defineCategory, text, z } from '../sdk';

const marDiscrepancies = ['MAR_WRONG_TIME', 'MAR_NOT_SIGNED', 'MAR_WRONG_ENTRY'] as const;
const discrepancyTypes = [
  ...marDiscrepancies,
  'LABEL_MISMATCH',
  'TIME_CRITICAL_TIMING',
  'DUPLICATE_DOSE_RISK',
  'WRONG_DOSE',
  'WRONG_MEDICATION',
  'WRONG_PERSON',
  'OMISSION_RISK',
  'STOCK_OR_SUPPLY',
  'OTHER',
] as const;
const sameDayDiscrepancies: readonly string[] = [
  ...marDiscrepancies,
  'LABEL_MISMATCH',
  'TIME_CRITICAL_TIMING',
  'DUPLICATE_DOSE_RISK',
  'WRONG_DOSE',
  'WRONG_MEDICATION',
  'WRONG_PERSON',
];
const isMarDiscrepancy = (type: string) => (marDiscrepancies as readonly string[]).includes(type);

const details = z.object({
  medicationName: text(200).meta({ title: 'Medication name', description: 'As written on the MAR or label' }),
  scheduledTime: z
    .string()
    .regex(
      /^([01]\d|2[0-3]):[0-5]\d$|^\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d/,
      'use HH:MM (24-hour) or an ISO date-time',
    )
    .meta({ title: 'Scheduled time', description: 'When the dose was due: HH:MM, or an ISO date-time from the MAR' }),
  discrepancyType: z
    .enum(discrepancyTypes)
    .meta({ title: 'Discrepancy type', description: 'What was wrong or nearly wrong' }),
  timeCritical: z
    .boolean()
    .default(false)
    .meta({ title: 'Time-critical medicine', description: 'e.g. Parkinson’s medicines, insulin, anti-epileptics' }),
  clinicalAdviceSought: z
    .boolean()
    .meta({ title: 'Clinical advice sought', description: 'Nurse, pharmacist or GP/111 consulted' }),
  supervisorNotified: z.boolean().meta({ title: 'Supervisor notified' }),
  errorReached: z
    .enum(['CAPACITY_TO_CAUSE_ERROR', 'ERROR_CAUGHT_BEFORE_PERSON'])
    .default('ERROR_CAUGHT_BEFORE_PERSON')
    .meta({
      title: 'How far it got',
      description:
        'Circumstances that could cause an error (NCC MERP A), or an error caught before it reached the person (NCC MERP B)',
    }),
});

/** Medication near misses: MAR discrepancies, label mismatches, time-critical timing, duplicate-dose risk. */
export const medication = defineCategory({
  key: 'medication',
  label: 'Medication',
  description:
    'A medicine error caught before it reached the person: MAR signed for the wrong time, a label that does not match the MAR, a time-critical dose nearly late, a risk of a duplicate dose.',
  version: 1,
  details,
  example: {
    medicationName: 'Levodopa 100mg',
    scheduledTime: '08:00',
    discrepancyType: 'MAR_WRONG_TIME',
    timeCritical: true,
    clinicalAdviceSought: true,
    supervisorNotified: true,
    errorReached: 'ERROR_CAUGHT_BEFORE_PERSON',
  },
  defaultRoute: 'MEDICATION_SAFETY_REVIEW',
  triage: [
    {
      id: 'time-critical-medicine',
      description: 'A time-critical medicine was involved: triage the same day and involve the on-call nurse.',
      when: (report) => report.details.timeCritical || report.details.discrepancyType === 'TIME_CRITICAL_TIMING',
      route: 'MEDICATION_SAFETY_REVIEW',
      sameDay: true,
      notify: ['on-call nurse', 'medication lead'],
    },
    {
      id: 'duplicate-dose-risk',
      description: 'A second dose could have been given: the dose schedule must be confirmed today.',
      when: (report) =>
        report.details.discrepancyType === 'DUPLICATE_DOSE_RISK' || report.details.discrepancyType === 'MAR_WRONG_TIME',
      route: 'MEDICATION_SAFETY_REVIEW',
      sameDay: true,
      notify: ['on-call nurse', 'pharmacist'],
    },
    {
      id: 'medication-risk',
      description: 'A medicine discrepancy that could reach the person at the next round.',
      when: (report) => sameDayDiscrepancies.includes(report.details.discrepancyType),
      route: 'MEDICATION_SAFETY_REVIEW',
      sameDay: true,
      notify: ['medication lead'],
    },
    {
      id: 'label-mismatch',
      description: 'The dispensed label does not match the MAR: the pharmacy must confirm which is right.',
      when: (report) => report.details.discrepancyType === 'LABEL_MISMATCH',
      route: 'MEDICATION_SAFETY_REVIEW',
      notify: ['pharmacist'],
    },
    {
      id: 'no-clinical-advice',
      description: 'No clinical advice was sought for a discrepancy of moderate or higher potential harm.',
      when: (report) =>
        !report.details.clinicalAdviceSought && report.potentialHarm !== 'NONE' && report.potentialHarm !== 'LOW',
      notify: ['on-call nurse'],
    },
  ],
  gates: [
    {
      key: 'record-reconciled',
      label: 'MAR record reconciled',
      appliesWhen: (report) =>
        isMarDiscrepancy(report.details.discrepancyType) || report.details.discrepancyType === 'DUPLICATE_DOSE_RISK',
    },
    { key: 'dose-schedule-confirmed', label: 'Dose schedule confirmed' },
    { key: 'staff-briefed', label: 'Staff briefed before the next round' },
    {
      key: 'supervisor-signed-record',
      label: 'Supervisor signed the corrected record',
      appliesWhen: (report) => isMarDiscrepancy(report.details.discrepancyType),
    },
    {
      key: 'pharmacy-confirmed-label',
      label: 'Pharmacy confirmed the correct label',
      appliesWhen: (report) => report.details.discrepancyType === 'LABEL_MISMATCH',
    },
  ],
  verification: [
    { method: 'AUDIT', description: 'Weekly MAR audit of time-critical doses', everyDays: 7, count: 6 },
    { method: 'SPOT_CHECK', description: 'Spot check of medication rounds against the MAR', everyDays: 14, count: 3 },
  ],
  similarity: ['personId', 'details.medicationName'],
  // A service-wide control (a MAR redesign) answers for the discrepancy, whoever's medicine it is.
  kind: ['details.discrepancyType'],
  contributingFactors: [
    'pharmacy change not communicated',
    'handover rushed',
    'MAR layout unclear',
    'interruptions during round',
  ],
  workflowStages: ['PRESCRIBING_OR_PHARMACY', 'HANDOVER', 'ADMINISTRATION', 'DOCUMENTATION'],
  standards: {
    fhirAdverseEventCategory: 'medication-mishap',
    nccMerp: (report) => (report.details.errorReached === 'CAPACITY_TO_CAUSE_ERROR' ? 'A' : 'B'),
    lfpse: {
      eventType: 'medication',
      medicationProcessStage: (report) => {
        const type = report.details.discrepancyType;
        if (type === 'LABEL_MISMATCH') return 'preparation-or-dispensing';
        if (type === 'STOCK_OR_SUPPLY') return 'supply-or-ordering';
        if (isMarDiscrepancy(type)) return 'advice-or-documentation';
        return report.workflowStage === 'PRESCRIBING_OR_PHARMACY' ? 'prescribing' : 'administration';
      },
    },
    ahrq: { eventCategory: 'medication' },
  },
});
