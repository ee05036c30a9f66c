export const trendDimensions = [
  'CATEGORY',
  'SERVICE',
  'WORKFLOW_STAGE',
  'CONTRIBUTING_FACTOR',
  'SETTING',
  'SHIFT_PHASE',
  'HOUR_OF_DAY',
  'DAY_OF_WEEK',
  'POTENTIAL_HARM',
] as const;
export type TrendDimensionValue = (typeof trendDimensions)[number];

export const trendIntervals = ['DAY', 'WEEK', 'MONTH'] as const;
export type TrendIntervalValue = (typeof trendIntervals)[number];

export const daysOfWeek = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'] as const;

/** Nights run from 22:00 to 07:00 local time; weekends are Saturday and Sunday. */
export const nightStartsHour = 22;
export const nightEndsHour = 7;

/** Key of a near miss under a dimension, as plain words a board reads. */
export const noContributingFactor = '(none given)';
export const noWorkflowStage = 'UNSPECIFIED';

/** The time zone of a tenant that has not set one. */
export const defaultTimeZone = 'Europe/London';
