import type { Transaction } from '../database/transaction';
import { AnalyticsSettingsEntity } from './analytics-settings.entity';
import type { NearMissFilter } from '../near-misses/near-miss.filter';
import { conditions, Parameters } from '../near-misses/near-miss.repository';
import type { ReadScope } from '../near-misses/read-scope';
import type { ChartCount } from './control-charts';
import {
  daysOfWeek,
  defaultTimeZone,
  nightEndsHour,
  nightStartsHour,
  noContributingFactor,
  noWorkflowStage,
  type TrendDimensionValue,
  type TrendIntervalValue,
} from './trend-dimensions';

/** shiftPhase (near-misses/workflow-context.ts) in SQL over alias `n`, for aggregates (`window` is a parameter placeholder). */
const shiftPhaseSql = (window: string) => `CASE
    WHEN n.minutes_after_shift_start IS NULL OR n.minutes_before_shift_end IS NULL THEN 'UNKNOWN'
    WHEN abs(n.minutes_after_shift_start) <= ${window} THEN 'START_OF_SHIFT'
    WHEN abs(n.minutes_before_shift_end) <= ${window} THEN 'END_OF_SHIFT'
    WHEN n.minutes_after_shift_start > 0 AND n.minutes_before_shift_end > 0 THEN 'MID_SHIFT'
    ELSE 'OUTSIDE_SHIFT' END`;

// Every aggregate here reads one tenant (and the caller's services) through
// conditions(), the same WHERE the row queries use, over the covering index
// IDX_near_miss_analytics: cost follows the selection, not the table.

/** PostgreSQL's date_trunc field for an interval (weeks start on Monday). */
const truncField = (interval: TrendIntervalValue) => interval.toLowerCase() as 'day' | 'week' | 'month';

/** Local time of the occurrence in the tenant's time zone (CTE `zone`). */
const localOccurrence = `(n.occurred_at AT TIME ZONE zone.name)`;

/** The tenant's time zone as a CTE named `zone`; `$1` must be the tenant id (as conditions() makes it). */
const zoneCte = `zone AS (SELECT coalesce((SELECT time_zone FROM analytics_settings WHERE tenant_id = $1), '${defaultTimeZone}') AS name)`;

/**
 * The SQL key of each dimension over alias `n` (and `factor` for contributing
 * factors, which need a lateral unnest: a near miss with two factors counts
 * under both). `window` is the parameter holding the shift-transition minutes.
 */
function dimensionKeySql(dimension: TrendDimensionValue, window: string): string {
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
const dimensionFromSql = (dimension: TrendDimensionValue) =>
  `near_miss n CROSS JOIN zone${dimension === 'CONTRIBUTING_FACTOR' ? ' LEFT JOIN LATERAL unnest(n.contributing_factor_codes) AS factor (name) ON true' : ''}`;

export interface BucketCount {
  periodStart: Date;
  key: string;
  count: number;
}

interface BucketRow {
  period_start: Date;
  key: string;
  count: number;
}

/**
 * Counts by period and dimension key, at most `limit` of them (in order).
 * With `interval` null, one bucket per key whose periodStart is `periodStart`
 * (a breakdown of the whole selection).
 */
export async function loadTrendBuckets(
  tx: Transaction,
  scope: ReadScope,
  filter: NearMissFilter,
  dimension: TrendDimensionValue,
  interval: TrendIntervalValue | null,
  options: { shiftTransitionMinutes: number; periodStart?: Date; limit: number },
): Promise<BucketCount[]> {
  const parameters = new Parameters();
  // A near miss reclassified as an incident is no longer a near miss: it leaves the trends.
  const where = [...conditions(scope, filter, parameters), 'n.reclassified_at IS NULL'];
  // Only SHIFT_PHASE reads the window; an unused parameter would have no type.
  const window = dimension === 'SHIFT_PHASE' ? `${parameters.add(options.shiftTransitionMinutes)}::int` : '0';
  const period = interval
    ? `(date_trunc(${parameters.add(truncField(interval))}, ${localOccurrence}) AT TIME ZONE zone.name)`
    : `${parameters.add(options.periodStart ?? new Date(0))}::timestamptz`;
  // Hand-written: an aggregate by a computed key in the tenant's time zone.
  const rows: BucketRow[] = await tx.query(
    `WITH ${zoneCte}
     SELECT ${period} AS period_start, ${dimensionKeySql(dimension, window)} AS key, count(*)::int AS count
     FROM ${dimensionFromSql(dimension)}
     WHERE ${where.join(' AND ')}
     GROUP BY 1, 2 ORDER BY 1, 2 LIMIT ${parameters.add(options.limit)}`,
    parameters.values,
  );
  return rows.map((row) => ({ periodStart: row.period_start, key: row.key, count: row.count }));
}

export interface StageCounts {
  stage: string;
  count: number;
  nearShiftTransition: number;
  timeCriticalMedication: number;
  carePlanOverdue: number;
  agencyStaff: number;
  weekend: number;
  night: number;
}

interface StageRow {
  stage: string;
  count: number;
  near_shift_transition: number;
  time_critical_medication: number;
  care_plan_overdue: number;
  agency_staff: number;
  weekend: number;
  night: number;
}

/** Counts by workflow stage (no stage counts as OTHER) with what surrounded them. */
export async function loadStageCounts(
  tx: Transaction,
  scope: ReadScope,
  filter: NearMissFilter,
  shiftTransitionMinutes: number,
): Promise<StageCounts[]> {
  const parameters = new Parameters();
  const where = conditions(scope, filter, parameters);
  const window = `${parameters.add(shiftTransitionMinutes)}::int`;
  const hour = `extract(hour FROM ${localOccurrence})`;
  // Hand-written: filtered counts by stage in the tenant's time zone, in one pass.
  const rows: StageRow[] = await tx.query(
    `WITH ${zoneCte}
     SELECT coalesce(n.workflow_stage, 'OTHER') AS stage, count(*)::int AS count,
       count(*) FILTER (WHERE ${shiftPhaseSql(window)} IN ('START_OF_SHIFT', 'END_OF_SHIFT'))::int AS near_shift_transition,
       count(*) FILTER (WHERE n.time_critical_medicine)::int AS time_critical_medication,
       count(*) FILTER (WHERE n.care_plan_review_overdue)::int AS care_plan_overdue,
       count(*) FILTER (WHERE n.staff_employment = 'AGENCY')::int AS agency_staff,
       count(*) FILTER (WHERE extract(isodow FROM ${localOccurrence}) IN (6, 7))::int AS weekend,
       count(*) FILTER (WHERE ${hour} >= ${nightStartsHour} OR ${hour} < ${nightEndsHour})::int AS night
     FROM near_miss n CROSS JOIN zone
     WHERE ${where.join(' AND ')}
     GROUP BY 1 ORDER BY 2 DESC, 1`,
    parameters.values,
  );
  return rows.map((row) => ({
    stage: row.stage,
    count: row.count,
    nearShiftTransition: row.near_shift_transition,
    timeCriticalMedication: row.time_critical_medication,
    carePlanOverdue: row.care_plan_overdue,
    agencyStaff: row.agency_staff,
    weekend: row.weekend,
    night: row.night,
  }));
}

export interface BarrierCounts {
  serviceId: string;
  systemControl: number;
  individualVigilance: number;
  chance: number;
}

export interface HealthFigures {
  reports: number;
  byCategory: Record<string, number>;
  medianHoursToTriage: number | null;
  triaged: number;
  triagedWithinDue: number;
  triageOverdue: number;
  actions: number;
  actionsDone: number;
  overdueActions: number;
  checksPerformed: number;
  checksPassed: number;
  reopenedAfterClosure: number;
  outcomeEligible: number;
  outcomeWithin14Days: number;
  barriers: BarrierCounts[];
}

interface BarrierJson {
  service_id: string;
  system_control: number;
  individual_vigilance: number;
  chance: number;
}

interface HealthRow {
  reports: number;
  by_category: Record<string, number>;
  median_hours: number | string | null;
  triaged: number;
  triaged_within_due: number;
  triage_overdue: number;
  actions: number;
  actions_done: number;
  overdue_actions: number;
  checks_performed: number;
  checks_passed: number;
  reopened: number;
  outcome_eligible: number;
  outcome_within: number;
  barriers: BarrierJson[];
}

/**
 * The raw figures of signal health for a selection: one statement. Triage is
 * each near miss's first decision (its time and the due time then); actions
 * and checks are those linked to the selected near misses.
 */
export async function loadHealthFigures(
  tx: Transaction,
  scope: ReadScope,
  filter: NearMissFilter,
  now: Date,
): Promise<HealthFigures> {
  const parameters = new Parameters();
  const where = conditions(scope, filter, parameters);
  const at = `${parameters.add(now)}::timestamptz`;
  // Triage and feedback come after the occurrence: with a start date, only rows since then are read (hash joins, not a probe per near miss).
  // Links, actions and checks are read as the tenant's ranges and joined in memory: a probe per row would
  // walk an index from its root for each of thousands of rows, work that grows with the table's depth.
  const since = (column: string) =>
    filter.occurredFrom ? ` AND ${column} >= ${parameters.add(filter.occurredFrom)}` : '';
  // Hand-written: fifteen aggregates over five tables in one statement, joined in memory (see above).
  const [row]: HealthRow[] = await tx.query(
    `WITH selected AS MATERIALIZED (
       SELECT n.id, n.category, n.service_id, n.prevention_reliability, n.reported_at, n.triage_due_at, n.reopen_count
       FROM near_miss n WHERE ${where.join(' AND ')}
     ), triage_firsts AS MATERIALIZED (
       SELECT DISTINCT ON (nt.near_miss_id) nt.near_miss_id, nt.triaged_at, nt.due_by FROM near_miss_triage nt
       WHERE nt.tenant_id = $1${since('nt.triaged_at')} ORDER BY nt.near_miss_id, nt.triaged_at
     ), first_triage AS MATERIALIZED (
       SELECT s.id, s.reported_at, s.triage_due_at, t.triaged_at, t.due_by FROM selected s LEFT JOIN triage_firsts t ON t.near_miss_id = s.id
     ), tenant_links AS MATERIALIZED (
       SELECT l.near_miss_id, l.action_id FROM corrective_action_near_miss l WHERE l.tenant_id = $1
     ), tenant_actions AS MATERIALIZED (
       SELECT a.id, a.status, a.due_by FROM corrective_action a WHERE a.tenant_id = $1
     ), actions AS MATERIALIZED (
       SELECT DISTINCT a.id, a.status, a.due_by FROM selected s
       JOIN tenant_links l ON l.near_miss_id = s.id
       JOIN tenant_actions a ON a.id = l.action_id
     ), checks AS MATERIALIZED (
       SELECT c.action_id, c.result FROM verification_check c WHERE c.tenant_id = $1 AND c.result IS NOT NULL
     ), answered AS MATERIALIZED (
       SELECT DISTINCT f.near_miss_id FROM reporter_feedback f JOIN selected s ON s.id = f.near_miss_id
       WHERE f.tenant_id = $1 AND f.kind IN ('CLOSED', 'MANUAL') AND f.at <= s.reported_at + interval '14 days'${since('f.at')}
     ), outcomes AS (
       SELECT s.id, s.reported_at, a.near_miss_id IS NOT NULL AS answered FROM selected s LEFT JOIN answered a ON a.near_miss_id = s.id
     )
     SELECT
       (SELECT count(*)::int FROM selected) AS reports,
       (SELECT coalesce(jsonb_object_agg(category, count), '{}') FROM (SELECT category, count(*)::int AS count FROM selected GROUP BY 1) c) AS by_category,
       (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM triaged_at - reported_at) / 3600) FROM first_triage WHERE triaged_at IS NOT NULL) AS median_hours,
       (SELECT count(*)::int FROM first_triage WHERE triaged_at IS NOT NULL) AS triaged,
       (SELECT count(*)::int FROM first_triage WHERE triaged_at <= due_by) AS triaged_within_due,
       (SELECT count(*)::int FROM first_triage WHERE triaged_at IS NULL AND triage_due_at < ${at}) AS triage_overdue,
       (SELECT count(*)::int FROM actions WHERE status <> 'CANCELLED') AS actions,
       (SELECT count(*)::int FROM actions WHERE status = 'DONE') AS actions_done,
       (SELECT count(*)::int FROM actions WHERE status IN ('OPEN', 'IN_PROGRESS') AND due_by < ${at}) AS overdue_actions,
       (SELECT count(*)::int FROM checks c JOIN actions a ON a.id = c.action_id) AS checks_performed,
       (SELECT count(*)::int FROM checks c JOIN actions a ON a.id = c.action_id WHERE c.result = 'PASS') AS checks_passed,
       (SELECT count(*)::int FROM selected WHERE reopen_count > 0) AS reopened,
       (SELECT count(*)::int FROM outcomes WHERE answered OR reported_at <= ${at} - interval '14 days') AS outcome_eligible,
       (SELECT count(*)::int FROM outcomes WHERE answered) AS outcome_within,
       (SELECT coalesce(jsonb_agg(b ORDER BY b.service_id), '[]') FROM (
          SELECT service_id,
            count(*) FILTER (WHERE prevention_reliability = 'SYSTEM_CONTROL')::int AS system_control,
            count(*) FILTER (WHERE prevention_reliability = 'INDIVIDUAL_VIGILANCE')::int AS individual_vigilance,
            count(*) FILTER (WHERE prevention_reliability = 'CHANCE')::int AS chance
          FROM selected GROUP BY 1) b) AS barriers`,
    parameters.values,
  );
  return {
    reports: row.reports,
    byCategory: row.by_category,
    medianHoursToTriage: row.median_hours === null ? null : Number(row.median_hours),
    triaged: row.triaged,
    triagedWithinDue: row.triaged_within_due,
    triageOverdue: row.triage_overdue,
    actions: row.actions,
    actionsDone: row.actions_done,
    overdueActions: row.overdue_actions,
    checksPerformed: row.checks_performed,
    checksPassed: row.checks_passed,
    reopenedAfterClosure: row.reopened,
    outcomeEligible: row.outcome_eligible,
    outcomeWithin14Days: row.outcome_within,
    barriers: row.barriers.map((barrier) => ({
      serviceId: barrier.service_id,
      systemControl: barrier.system_control,
      individualVigilance: barrier.individual_vigilance,
      chance: barrier.chance,
    })),
  };
}

export interface Periods {
  starts: Date[];
  /** Where the last period ends (`from` when there is none). */
  end: Date;
}

interface PeriodRow {
  period_start: Date;
  period_end: Date;
}

/** Whole periods from `from` to `to` in the tenant's time zone (the first starting at or after `from`, the last ending by `to`), and where the last ends. */
export async function loadPeriods(
  tx: Transaction,
  tenantId: string,
  interval: TrendIntervalValue,
  from: Date,
  to: Date,
): Promise<Periods> {
  // Hand-written: calendar periods in the tenant's time zone (date_trunc and generate_series).
  const rows: PeriodRow[] = await tx.query(
    `WITH ${zoneCte}, bounds AS (
       SELECT date_trunc($2, $3::timestamptz AT TIME ZONE zone.name) AS first_start, date_trunc($2, $4::timestamptz AT TIME ZONE zone.name) AS end_start,
              $3::timestamptz AT TIME ZONE zone.name AS from_local, ('1 ' || $2)::interval AS step
       FROM zone
     )
     SELECT (period AT TIME ZONE zone.name) AS period_start, ((period + bounds.step) AT TIME ZONE zone.name) AS period_end
     FROM zone, bounds, generate_series(
       CASE WHEN bounds.first_start < bounds.from_local THEN bounds.first_start + bounds.step ELSE bounds.first_start END,
       bounds.end_start - bounds.step, bounds.step) AS period
     ORDER BY 1`,
    [tenantId, truncField(interval), from, to],
  );
  return { starts: rows.map((row) => row.period_start), end: rows.at(-1)?.period_end ?? from };
}

interface SeriesCountRow {
  service_id: string | null;
  category: string | null;
  workflow_stage: string | null;
  period_start: Date;
  count: number;
}

/** Counts per period and, when asked, per service and category. */
export async function loadSeriesCounts(
  tx: Transaction,
  scope: ReadScope,
  filter: NearMissFilter,
  interval: TrendIntervalValue,
  by: { service: boolean; category: boolean; workflowStage?: boolean },
): Promise<ChartCount[]> {
  const parameters = new Parameters();
  const where = conditions(scope, filter, parameters);
  const period = `(date_trunc(${parameters.add(truncField(interval))}, ${localOccurrence}) AT TIME ZONE zone.name)`;
  // Hand-written: counts by calendar period in the tenant's time zone.
  const rows: SeriesCountRow[] = await tx.query(
    `WITH ${zoneCte}
     SELECT ${by.service ? 'n.service_id' : 'NULL::text'} AS service_id, ${by.category ? 'n.category' : 'NULL::text'} AS category,
            ${by.workflowStage ? `coalesce(n.workflow_stage, '${noWorkflowStage}')` : 'NULL::text'} AS workflow_stage,
            ${period} AS period_start, count(*)::int AS count
     FROM near_miss n CROSS JOIN zone WHERE ${where.join(' AND ')}
     GROUP BY 1, 2, 3, 4`,
    parameters.values,
  );
  return rows.map((row) => ({
    serviceId: row.service_id,
    category: row.category,
    workflowStage: row.workflow_stage,
    periodStart: row.period_start,
    count: row.count,
  }));
}

export interface AnalyticsSettings {
  timeZone: string;
}

export async function loadAnalyticsSettings(tx: Transaction, tenantId: string): Promise<AnalyticsSettings> {
  const row = await tx.getRepository(AnalyticsSettingsEntity).findOneBy({ tenantId });
  return { timeZone: row?.timeZone ?? defaultTimeZone };
}

/** Whether the database knows an IANA time zone name. */
export async function isKnownTimeZone(tx: Transaction, name: string): Promise<boolean> {
  // Hand-written: reads the database's own catalogue of time zones.
  const rows: { name: string }[] = await tx.query(`SELECT name FROM pg_timezone_names WHERE name = $1`, [name]);
  return rows.length > 0;
}

export async function saveAnalyticsSettings(
  tx: Transaction,
  tenantId: string,
  settings: AnalyticsSettings,
  updatedBy: string | undefined,
): Promise<void> {
  await tx
    .getRepository(AnalyticsSettingsEntity)
    .upsert({ tenantId, timeZone: settings.timeZone, updatedBy: updatedBy ?? null, updatedAt: () => 'now()' }, [
      'tenantId',
    ]);
}
