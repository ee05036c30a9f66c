import { defineCategory, text, z } from '../sdk';

const hazards = [
  'EQUIPMENT_STORAGE',
  'OBSTRUCTION',
  'TRIP_OR_FALL_RISK',
  'WET_OR_SLIPPERY_FLOOR',
  'FAULTY_EQUIPMENT',
  'BLOCKED_FIRE_EXIT',
  'POOR_LIGHTING',
  'HOT_WATER_OR_SURFACE',
  'OTHER',
] as const;
const madeSafeBy = ['REPORTER', 'OTHER_STAFF', 'MAINTENANCE_OR_ESTATES', 'NOT_YET_MADE_SAFE'] as const;

const details = z.object({
  location: text(200).meta({
    title: 'Location',
    description: 'Where exactly, e.g. "first-floor corridor outside room 12"',
  }),
  hazard: z.enum(hazards).meta({ title: 'Hazard' }),
  equipment: text(200).optional().meta({ title: 'Equipment involved', description: 'e.g. hoist, wheelchair, commode' }),
  madeSafeBy: z.enum(madeSafeBy).meta({ title: 'Who moved it or made it safe' }),
  storageConstraint: z
    .boolean()
    .meta({ title: 'Lack of storage contributed', description: 'Staff had nowhere suitable to put it' }),
  blocksEscapeRoute: z.boolean().default(false).meta({ title: 'Blocks an exit or escape route' }),
});

const escapeRouteBlocked = (value: { hazard: string; blocksEscapeRoute: boolean }) =>
  value.blocksEscapeRoute || value.hazard === 'BLOCKED_FIRE_EXIT';

/** Environment near misses: equipment stored in corridors, obstructions, trip or fall risks, faulty equipment. */
export const environment = defineCategory({
  key: 'environment',
  label: 'Environment and equipment',
  description:
    'An unsafe condition found before anyone was hurt: moving and handling equipment stored in a corridor, an obstruction, a trip or fall risk, faulty equipment, a blocked exit.',
  version: 2,
  details,
  conditions: [
    {
      when: { hazard: ['EQUIPMENT_STORAGE', 'FAULTY_EQUIPMENT'] },
      require: ['equipment'],
      message: 'name the equipment for a storage or faulty equipment near miss',
    },
  ],
  example: {
    location: 'First-floor corridor outside room 12',
    hazard: 'EQUIPMENT_STORAGE',
    equipment: 'Mobile hoist',
    madeSafeBy: 'REPORTER',
    storageConstraint: true,
  },
  triage: [
    {
      id: 'hazard-still-present',
      description: 'The hazard has not been made safe yet: someone must deal with it today.',
      when: (report) => report.details.madeSafeBy === 'NOT_YET_MADE_SAFE',
      route: 'OPERATIONAL_FIX',
      sameDay: true,
      notify: ['registered manager'],
    },
    {
      id: 'escape-route-blocked',
      description: 'An exit or escape route was blocked: fire safety is checked the same day.',
      when: (report) => escapeRouteBlocked(report.details),
      route: 'OPERATIONAL_FIX',
      sameDay: true,
      notify: ['registered manager'],
    },
    {
      id: 'faulty-equipment',
      description: 'Faulty equipment must be taken out of use and repaired or replaced today.',
      when: (report) => report.details.hazard === 'FAULTY_EQUIPMENT',
      route: 'OPERATIONAL_FIX',
      sameDay: true,
      notify: ['registered manager'],
    },
    {
      id: 'storage-constraint',
      description: 'Staff had nowhere suitable to store equipment: moving it fixes today, not the cause.',
      when: (report) => report.details.storageConstraint,
      route: 'OPERATIONAL_FIX',
    },
  ],
  gates: [
    { key: 'hazard-removed', label: 'Hazard removed or made safe' },
    { key: 'risk-assessment-updated', label: 'Environmental risk assessment updated' },
    { key: 'staff-briefed', label: 'Staff briefed on storage and access expectations' },
    {
      key: 'storage-arrangements-reviewed',
      label: 'Storage arrangements reviewed by the health and safety lead',
      appliesWhen: (report) => report.details.storageConstraint || report.details.hazard === 'EQUIPMENT_STORAGE',
    },
    {
      key: 'equipment-out-of-use',
      label: 'Faulty equipment labelled, taken out of use and repair booked',
      appliesWhen: (report) => report.details.hazard === 'FAULTY_EQUIPMENT',
    },
    {
      key: 'escape-routes-checked',
      label: 'All escape routes checked clear',
      appliesWhen: (report) => escapeRouteBlocked(report.details),
    },
  ],
  verification: [
    {
      method: 'OBSERVATION',
      description: 'Unannounced walkthrough of corridors and storage areas on different shifts',
      everyDays: 14,
      count: 6,
    },
    {
      method: 'AUDIT',
      description: 'Environmental audit of storage, access routes and equipment',
      everyDays: 30,
      count: 3,
    },
  ],
  similarity: ['serviceId', 'details.hazard'],
  // Its controls are the service's (storage, allocation, scheduling): the same kind anywhere in their services reopens them.
  recurrenceScope: 'SAME_KIND_IN_SERVICES',
  contributingFactors: [
    'no suitable storage space',
    'equipment moved only before audits',
    'unclear storage responsibilities',
    'equipment delivered without a storage plan',
  ],
  workflowStages: ['ENVIRONMENT'],
  standards: {
    fhirAdverseEventCategory: 'unsafe-physical-environment',
    lfpse: { eventType: 'infrastructure-or-environment' },
    ahrq: { eventCategory: 'other' },
  },
});
