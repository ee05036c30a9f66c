import { shiftPhaseSql } from '../near-misses/workflow-context';

export const trendDimensions = [
  'CATEGORY', 'SERVICE', 'WORKFLOW_STAGE', 'CONTRIBUTING_FACTOR', 'SETTING', 'SHIFT_PHASE', 'HOUR_OF_DAY', 'DAY_OF_WEEK', 'POTENTIAL_HARM',
] as const;
export type TrendDimensionValue = (typeof trendDimensions)[number];

export const trendIntervals = ['DAY', 'WEEK', 'MONTH'] as const;
export type TrendIntervalValue = (typeof trendIntervals)[number];

/** PostgreSQL's date_trunc field for an interval (weeks start on Monday). */
export const truncField = (interval: TrendIntervalValue) => interval.toLowerCase() as 'day' | 'week' | 'month';

export const daysOfWeek = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'] as const;

/** Nights run from 22:00 to 07:00 local time; weekends are Saturday and Sunday. */
export const nightStartsHour = 22;
export const nightEndsHour = 7;

/** Key of a near miss under a dimension, as plain words a board reads. */
export const noContributingFactor = '(none given)';
export const noWorkflowStage = 'UNSPECIFIED';

/** Local time of the occurrence in the tenant's time zone (CTE `zone`). */
export const localOccurrence = `(n.occurred_at AT TIME ZONE zone.name)`;

/**
 * The SQL key of each dimension over alias `n` (and `factor` for contributing
 * factors, which need a lateral unnest: a near miss with two factors counts
 * under both). `window` is the parameter holding the shift-transition minutes.
 */
export function dimensionKeySql(dimension: TrendDimensionValue, window: string): string {
  switch (dimension) {
    case 'CATEGORY':
      return 'n.category';
    case 'SERVICE':
      return 'n.service_id';
    case 'WORKFLOW_STAGE':
      return `coalesce(n.workflow_stage, '${noWorkflowStage}')`;
    case 'CONTRIBUTING_FACTOR':
      return `coalesce(factor.name, '${noContributingFactor}')`;
    case 'SETTING':
      return 'n.setting';
    case 'SHIFT_PHASE':
      return shiftPhaseSql(window);
    case 'HOUR_OF_DAY':
      return `lpad(extract(hour FROM ${localOccurrence})::int::text, 2, '0')`;
    case 'DAY_OF_WEEK':
      return `(ARRAY[${daysOfWeek.map((day) => `'${day}'`).join(', ')}])[extract(isodow FROM ${localOccurrence})::int]`;
    case 'POTENTIAL_HARM':
      return 'n.potential_harm';
  }
}

/** The FROM clause a dimension needs. */
export const dimensionFromSql = (dimension: TrendDimensionValue) =>
  `near_miss n CROSS JOIN zone${dimension === 'CONTRIBUTING_FACTOR' ? ' LEFT JOIN LATERAL unnest(n.contributing_factors) AS factor (name) ON true' : ''}`;

/** The tenant's time zone as a CTE named `zone`; `$1` must be the tenant id (as conditions() makes it). */
export const defaultTimeZone = 'Europe/London';
export const zoneCte = `zone AS (SELECT coalesce((SELECT time_zone FROM analytics_settings WHERE tenant_id = $1), '${defaultTimeZone}') AS name)`;
