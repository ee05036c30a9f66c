import { defineCategory, text, z } from '../sdk';

const issueTypes = [
  'WRONG_TEXTURE',
  'WRONG_DRINK_CONSISTENCY',
  'ALLERGEN',
  'WRONG_MEAL_FOR_PERSON',
  'MEALTIME_SUPPORT_MISSING',
  'OTHER',
] as const;
const preparers = ['PERMANENT_STAFF', 'NEW_STAFF', 'AGENCY_STAFF', 'KITCHEN_OR_CATERING', 'FAMILY_OR_VISITOR'] as const;
const noticers = ['SAME_STAFF_MEMBER', 'ANOTHER_STAFF_MEMBER', 'SUPERVISOR', 'PERSON_OR_FAMILY', 'OTHER'] as const;
const caughtAtStages = ['DURING_PREPARATION', 'BEFORE_SERVING', 'SERVED_NOT_EATEN'] as const;

// IDDSI: drinks run 0 (thin) to 4 (extremely thick), foods 3 (liquidised) to 7 (regular).
const iddsiLevel = z
  .number()
  .int('use a whole IDDSI level')
  .min(0, 'IDDSI levels run 0-7')
  .max(7, 'IDDSI levels run 0-7');
const textureIssues = ['WRONG_TEXTURE', 'WRONG_DRINK_CONSISTENCY'] as const;

interface TextureFacts {
  issueType: (typeof issueTypes)[number];
  requiredIddsiLevel?: number;
  preparedIddsiLevel?: number;
}

/**
 * True when what was prepared was less modified than the plan requires: a
 * higher food level (firmer) or a lower drink level (thinner) raises the risk
 * of choking or aspiration.
 */
export const lessModifiedThanRequired = ({
  issueType,
  requiredIddsiLevel,
  preparedIddsiLevel,
}: TextureFacts): boolean => {
  if (requiredIddsiLevel === undefined || preparedIddsiLevel === undefined) return false;
  if (issueType === 'WRONG_DRINK_CONSISTENCY') return preparedIddsiLevel < requiredIddsiLevel;
  return issueType === 'WRONG_TEXTURE' && preparedIddsiLevel > requiredIddsiLevel;
};

const details = z.object({
  issueType: z.enum(issueTypes).meta({ title: 'What nearly went wrong' }),
  dietaryRequirement: text(300).meta({
    title: 'Dietary requirement',
    description: 'As written in the nutrition or care plan, e.g. "IDDSI level 5 minced and moist; no peanuts"',
  }),
  requiredIddsiLevel: iddsiLevel.optional().meta({
    title: 'Required IDDSI level',
    description: 'From the care plan or speech and language therapy guidance: drinks 0-4, foods 3-7',
  }),
  preparedIddsiLevel: iddsiLevel
    .optional()
    .meta({ title: 'IDDSI level prepared', description: 'The texture or drink level that was actually prepared' }),
  allergenInvolved: z.boolean().default(false).meta({
    title: 'Allergen involved',
    description: 'The meal contained, or nearly contained, something the person is allergic to',
  }),
  allergen: text(100).optional().meta({ title: 'Allergen', description: 'e.g. peanuts, gluten, milk' }),
  preparedBy: z.enum(preparers).meta({ title: 'Who prepared the meal' }),
  noticedBy: z.enum(noticers).meta({ title: 'Who noticed' }),
  caughtAt: z
    .enum(caughtAtStages)
    .meta({ title: 'When it was caught', description: 'Served but not eaten is the closest call' }),
  correction: text(500).meta({
    title: 'Correction made',
    description: 'e.g. "Meal re-prepared at level 5 and checked by the shift lead"',
  }),
  supervisorReviewed: z.boolean().meta({ title: 'Supervisor reviewed' }),
});

/** Mealtime near misses: wrong texture or drink consistency (IDDSI 0-7) for a modified diet, allergens, the wrong meal. */
export const mealtime = defineCategory({
  key: 'mealtime',
  label: 'Mealtime',
  description:
    'A meal or drink that nearly reached the person in an unsafe form: the wrong IDDSI texture or drink consistency for a modified diet, an allergen, the wrong meal, missing mealtime support.',
  version: 1,
  details,
  conditions: [
    {
      when: { issueType: textureIssues },
      require: ['requiredIddsiLevel', 'preparedIddsiLevel'],
      message: 'is required for a texture or drink consistency near miss',
    },
    {
      when: { issueType: 'ALLERGEN' },
      equal: { allergenInvolved: true },
      message: 'must be true for an allergen near miss',
    },
    { when: { allergenInvolved: true }, require: ['allergen'], message: 'name the allergen' },
  ],
  example: {
    issueType: 'WRONG_TEXTURE',
    dietaryRequirement: 'IDDSI level 5 minced and moist',
    requiredIddsiLevel: 5,
    preparedIddsiLevel: 7,
    preparedBy: 'NEW_STAFF',
    noticedBy: 'ANOTHER_STAFF_MEMBER',
    caughtAt: 'BEFORE_SERVING',
    correction: 'Meal re-prepared at level 5 and checked by the shift lead',
    supervisorReviewed: true,
  },
  triage: [
    {
      id: 'allergen',
      description: 'An allergen nearly reached the person: the allergy record and kitchen controls are checked today.',
      when: (report) => report.details.allergenInvolved,
      route: 'OPERATIONAL_FIX',
      sameDay: true,
      notify: ['clinical lead'],
    },
    {
      id: 'texture-mismatch',
      description:
        'The prepared texture or consistency did not match the plan: the kitchen information and mealtime check need fixing.',
      when: (report) =>
        (textureIssues as readonly string[]).includes(report.details.issueType) &&
        report.details.requiredIddsiLevel !== report.details.preparedIddsiLevel,
      route: 'OPERATIONAL_FIX',
    },
    {
      id: 'less-modified-served',
      description:
        'A less modified texture or thinner drink was served: a choking or aspiration risk, so clinical guidance is checked the same day.',
      when: (report) => report.details.caughtAt === 'SERVED_NOT_EATEN' && lessModifiedThanRequired(report.details),
      route: 'OPERATIONAL_FIX',
      sameDay: true,
      notify: ['clinical lead'],
    },
    {
      id: 'wrong-person',
      description: 'A meal meant for someone else nearly reached the person: check identification at serving.',
      when: (report) => report.details.issueType === 'WRONG_MEAL_FOR_PERSON',
      route: 'OPERATIONAL_FIX',
    },
  ],
  gates: [
    { key: 'meal-corrected', label: 'Meal corrected before it reached the person' },
    { key: 'dietary-guidance-confirmed', label: 'Person’s current dietary guidance confirmed' },
    { key: 'staff-on-duty-briefed', label: 'Staff on duty briefed' },
    { key: 'next-mealtime-safe', label: 'Supervisor confirmed the next mealtime is safe' },
    {
      key: 'allergy-record-checked',
      label: 'Allergy record and kitchen allergen controls checked',
      appliesWhen: (report) => report.details.allergenInvolved,
    },
    {
      key: 'clinical-follow-up-decided',
      label: 'Clinical follow-up decided (speech and language therapy, GP or nurse)',
      appliesWhen: (report) => report.details.caughtAt === 'SERVED_NOT_EATEN' || report.details.allergenInvolved,
    },
    {
      key: 'mealtime-orientation-confirmed',
      label: 'Practical mealtime orientation confirmed for new or agency staff',
      appliesWhen: (report) =>
        report.details.preparedBy === 'NEW_STAFF' || report.details.preparedBy === 'AGENCY_STAFF',
    },
  ],
  verification: [
    {
      method: 'OBSERVATION',
      description: 'Observation of mealtime practice for people on modified diets',
      everyDays: 7,
      count: 4,
    },
    { method: 'AUDIT', description: 'Kitchen labelling and the texture check before serving', everyDays: 14, count: 3 },
    {
      method: 'RECORD_REVIEW',
      description: 'Care plan dietary guidance matches the kitchen information',
      everyDays: 30,
      count: 2,
    },
  ],
  similarity: ['personId', 'details.issueType'],
  contributingFactors: [
    'kitchen labelling unclear',
    'new or agency staff without mealtime orientation',
    'busy mealtime service',
    'care plan not translated into kitchen information',
  ],
  workflowStages: ['MEAL_PREPARATION', 'HANDOVER', 'COMMUNICATION', 'DOCUMENTATION'],
  standards: {
    fhirAdverseEventCategory: 'procedure-mishap',
    lfpse: { eventType: 'nutrition-or-hydration' },
    ahrq: { eventCategory: 'other' },
  },
});
