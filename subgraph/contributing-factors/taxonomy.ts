/**
 * The contributing-factor taxonomy shipped with the product: ten groups and
 * their factors, aligned with the contributory-factor groups of the NHS
 * Learn from Patient Safety Events service (LFPSE) and the AHRQ Common Formats
 * (person, staff, task and process, communication, team and supervision,
 * staffing and workload, education and training, equipment and supplies,
 * environment, organisation), worded for care services. Each factor lists
 * the phrases staff write for it, so free text maps to a code; a provider adds
 * its own factors under any group (addContributingFactor).
 */
export interface ShippedFactor {
  code: string;
  label: string;
  /** Phrases that mean this factor, as staff write them (matched ignoring case, spacing and word order). */
  phrases?: readonly string[];
  children?: readonly ShippedFactor[];
}

/** Text that matches no factor is kept as written and coded as this. */
export const otherFactorCode = 'OTHER';

export const shippedTaxonomy: readonly ShippedFactor[] = [
  {
    code: 'PERSON',
    label: 'Person receiving care',
    children: [
      { code: 'PERSON.CONDITION', label: 'Health condition or change in condition' },
      { code: 'PERSON.COMMUNICATION', label: 'Communication or cognitive needs' },
      { code: 'PERSON.BEHAVIOUR', label: 'Behaviour or distress' },
      { code: 'PERSON.ROUTINE', label: 'Routine or preference', phrases: ['night-time toileting', 'new footwear'] },
    ],
  },
  {
    code: 'STAFF',
    label: 'Individual staff factors',
    children: [
      { code: 'STAFF.FATIGUE', label: 'Fatigue or stress', phrases: ['tired', 'fatigue', 'stress'] },
      {
        code: 'STAFF.DISTRACTION',
        label: 'Distraction or interruption',
        phrases: ['interruptions during round', 'interrupted', 'distracted'],
      },
      {
        code: 'STAFF.UNFAMILIAR',
        label: 'Staff unfamiliar with the person or setting',
        phrases: ['agency staff unfamiliar with the person'],
      },
      { code: 'STAFF.CONFIDENCE', label: 'Confidence or fear of escalating', phrases: ['fear of overreacting'] },
    ],
  },
  {
    code: 'TASK',
    label: 'Task and process',
    children: [
      {
        code: 'TASK.PROCEDURE',
        label: 'Procedure unclear or missing',
        phrases: ['unclear escalation threshold', 'unclear storage responsibilities'],
      },
      {
        code: 'TASK.CHECK',
        label: 'Check missed or rushed',
        phrases: [
          'pre-transport checks rushed',
          'cues missed in pre-outing checks',
          'equipment moved only before audits',
        ],
      },
      {
        code: 'TASK.PLAN_OUT_OF_DATE',
        label: 'Care or safety plan out of date',
        phrases: ['safety plan out of date', 'care plan not translated into kitchen information'],
      },
      { code: 'TASK.TIMING', label: 'Timing of the task', phrases: ['route or time of day', 'busy mealtime service'] },
    ],
  },
  {
    code: 'COMMUNICATION',
    label: 'Communication',
    children: [
      { code: 'COMMUNICATION.HANDOVER', label: 'Handover', phrases: ['handover rushed', 'poor handover', 'handover'] },
      {
        code: 'COMMUNICATION.CHANGE_NOT_PASSED_ON',
        label: 'Change not passed on',
        phrases: [
          'pharmacy change not communicated',
          'transport change sent to one worker’s phone',
          'visit schedule not updated',
          'late staff confirmation',
        ],
      },
      {
        code: 'COMMUNICATION.RECORDS',
        label: 'Records and documentation',
        phrases: ['MAR layout unclear', 'fragmented documentation', 'kitchen labelling unclear'],
      },
      { code: 'COMMUNICATION.WITH_PERSON_OR_FAMILY', label: 'With the person or their family' },
    ],
  },
  {
    code: 'TEAM',
    label: 'Team and supervision',
    children: [
      {
        code: 'TEAM.SUPERVISION',
        label: 'Supervision not available',
        phrases: ['supervision not available', 'supervision ratio'],
      },
      { code: 'TEAM.ROLES', label: 'Roles and responsibilities unclear' },
    ],
  },
  {
    code: 'STAFFING',
    label: 'Staffing and workload',
    children: [
      {
        code: 'STAFFING.ROTA',
        label: 'Rota or allocation',
        phrases: ['last-minute rota amendment', 'sickness cover', 'weekend cover'],
      },
      { code: 'STAFFING.WORKLOAD', label: 'Workload', phrases: ['coordinator workload', 'workload', 'short staffed'] },
      {
        code: 'STAFFING.TIME_ALLOWED',
        label: 'Time allowed for the visit or journey',
        phrases: ['travel time not allowed for', 'travel time underestimated', 'authorised time too short'],
      },
    ],
  },
  {
    code: 'TRAINING',
    label: 'Education and training',
    children: [
      {
        code: 'TRAINING.ORIENTATION',
        label: 'Induction or orientation',
        phrases: ['new or agency staff without mealtime orientation'],
      },
      { code: 'TRAINING.SKILLS', label: 'Skills or competence not assessed' },
    ],
  },
  {
    code: 'EQUIPMENT',
    label: 'Equipment and supplies',
    children: [
      { code: 'EQUIPMENT.FAULTY', label: 'Faulty equipment' },
      { code: 'EQUIPMENT.UNAVAILABLE', label: 'Equipment or supplies unavailable' },
      { code: 'EQUIPMENT.MEDICINES_SUPPLY', label: 'Medicines supply or packaging' },
    ],
  },
  {
    code: 'ENVIRONMENT',
    label: 'Environment',
    children: [
      {
        code: 'ENVIRONMENT.STORAGE',
        label: 'Storage or layout',
        phrases: ['no suitable storage space', 'equipment delivered without a storage plan'],
      },
      { code: 'ENVIRONMENT.CLUTTER', label: 'Clutter or obstruction', phrases: ['walking aid moved during cleaning'] },
      { code: 'ENVIRONMENT.LIGHT_NOISE', label: 'Lighting or noise' },
    ],
  },
  {
    code: 'ORGANISATION',
    label: 'Organisation and governance',
    children: [
      { code: 'ORGANISATION.POLICY', label: 'Policy unclear or missing' },
      { code: 'ORGANISATION.COMMISSIONING', label: 'Commissioning or funding' },
      { code: 'ORGANISATION.OTHER_PROVIDER', label: 'Another organisation (pharmacy, transport, GP)' },
    ],
  },
  { code: otherFactorCode, label: 'Other (kept as written)' },
];
