import { countOverdueNotifications } from '../notifications/notification.repository';
import { z } from 'zod';
import { recordAudit } from '../audit/audit-log';
import type { Principal } from '../auth/principal';
import { authorize } from '../auth/role-matrix';
import { badUserInput } from '../common/errors';
import { validate } from '../common/validation';
import type { Transaction } from '../database/transaction';
import type { WorkflowStageValue } from '../domain/vocabulary';
import { refusePersonLookup } from '../near-misses/field-protection';
import type { NearMissFilter } from '../near-misses/near-miss.filter';
import type { ReadScope } from '../near-misses/read-scope';
import { defaultShiftTransitionMinutes } from '../near-misses/workflow-context';
import { loadReviews } from '../patterns/risk-review.repository';
import type { Actor } from '../server/actor';
import type { RequestContext } from '../server/context';
import {
  isKnownTimeZone,
  loadAnalyticsSettings,
  loadHealthFigures,
  loadPeriods,
  loadSeriesCounts,
  loadStageCounts,
  loadTrendBuckets,
  saveAnalyticsSettings,
  type AnalyticsSettings,
  type BucketCount,
} from './analytics.repository';
import type {
  GovernanceSummary,
  SignalGroupingValue,
  SignalHealth,
  SpcSeries,
  StageBreakdown,
  TrendBucket,
} from './analytics.type';
import { controlCharts, type ChartSignal } from './control-charts';
import { loadActionsAcrossServices } from '../corrective-actions/corrective-action.repository';
import { loadGovernanceFigures } from './governance.repository';
import { categorySpread, compareStages, rate, rateOrNull } from './signal-measures';
import type { SpcChartValue } from './spc';
import type { TrendDimensionValue, TrendIntervalValue } from './trend-dimensions';

type Context = Pick<RequestContext, 'principal' | 'db' | 'services'>;

const dayMs = 24 * 60 * 60 * 1000;

export const maxTrendBuckets = 10_000;

/** Trend buckets of a selection; more than maxTrendBuckets is refused (narrow the range or widen the interval). */
async function trendBuckets(
  tx: Transaction,
  scope: ReadScope,
  filter: NearMissFilter,
  dimension: TrendDimensionValue,
  interval: TrendIntervalValue | null,
  options: { shiftTransitionMinutes: number; periodStart?: Date },
): Promise<BucketCount[]> {
  const buckets = await loadTrendBuckets(tx, scope, filter, dimension, interval, {
    ...options,
    limit: maxTrendBuckets + 1,
  });
  if (buckets.length > maxTrendBuckets) {
    throw badUserInput([
      {
        path: 'filter',
        message: `gives more than ${maxTrendBuckets} buckets: narrow the time range or use a longer interval`,
      },
    ]);
  }
  return buckets;
}

/**
 * The scope of aggregates: the caller's tenant and services, never
 * authorship (aggregates are counts). Callers who see people only as
 * pseudonyms (ANALYST) or not at all (GOVERNANCE) may not narrow to a person.
 */
export function analyticsScopeOf(principal: Principal, filter: NearMissFilter): ReadScope {
  authorize(principal, 'analytics.read');
  refusePersonLookup(principal, filter.personId);
  return { tenantId: principal.tenantId, serviceIds: principal.services };
}

const windowSchema = z.number().int().min(0, 'must be at least 0').max(720, 'must be at most 720 (12 hours)');
const filterOf = (filter: NearMissFilter | null | undefined): NearMissFilter => ({ ...(filter ?? {}) });

export async function nearMissTrends(
  context: Context,
  filter: NearMissFilter | null | undefined,
  dimension: TrendDimensionValue,
  interval: TrendIntervalValue,
  shiftTransitionMinutes = defaultShiftTransitionMinutes,
): Promise<TrendBucket[]> {
  const selection = filterOf(filter);
  const scope = analyticsScopeOf(context.principal, selection);
  const window = validate(z.object({ shiftTransitionMinutes: windowSchema }), {
    shiftTransitionMinutes,
  }).shiftTransitionMinutes;
  return context.db.read((tx) =>
    trendBuckets(tx, scope, selection, dimension, interval, { shiftTransitionMinutes: window }),
  );
}

/**
 * Counts by workflow stage with what surrounded them; when the selection is
 * narrower than the tenant (services, or a caller limited to some), each
 * stage is compared with the tenant as a whole to show where it clusters.
 */
export async function workflowStageAnalysis(
  context: Context,
  filter: NearMissFilter | null | undefined,
  shiftTransitionMinutes = defaultShiftTransitionMinutes,
): Promise<StageBreakdown[]> {
  const selection = filterOf(filter);
  const scope = analyticsScopeOf(context.principal, selection);
  const window = validate(z.object({ shiftTransitionMinutes: windowSchema }), {
    shiftTransitionMinutes,
  }).shiftTransitionMinutes;
  return context.db.read(async (tx) => {
    const rows = await loadStageCounts(tx, scope, selection, window);
    const narrowed = Boolean(selection.serviceIds?.length) || scope.serviceIds !== '*';
    const tenantRows = narrowed
      ? await loadStageCounts(
          tx,
          { tenantId: scope.tenantId, serviceIds: '*' },
          { ...selection, serviceIds: undefined },
          window,
        )
      : rows;
    const comparison = new Map(
      compareStages(
        new Map(rows.map((row) => [row.stage, row.count])),
        new Map(tenantRows.map((row) => [row.stage, row.count])),
      ).map((item) => [item.stage, item]),
    );
    return rows.map((row) => {
      const compared = comparison.get(row.stage)!;
      return {
        ...row,
        stage: row.stage as WorkflowStageValue,
        share: compared.share,
        tenantCount: compared.tenantCount,
        tenantShare: compared.tenantShare,
        lift: compared.lift,
        clustered: compared.clustered,
      };
    });
  });
}

async function healthOf(
  tx: Transaction,
  context: Context,
  scope: ReadScope,
  filter: NearMissFilter,
  now: Date,
): Promise<SignalHealth> {
  const row = await loadHealthFigures(tx, scope, filter, now);
  const categories = context.services.registry.list().length;
  const notSystem = (barrier: { individualVigilance: number; chance: number }) =>
    barrier.individualVigilance + barrier.chance;
  const barrierTotal = (barrier: { systemControl: number; individualVigilance: number; chance: number }) =>
    barrier.systemControl + notSystem(barrier);
  return {
    reports: row.reports,
    categorySpread: categorySpread(Object.values(row.byCategory), categories),
    medianHoursToTriage: row.medianHoursToTriage,
    triagedWithinDueRate: rate(row.triagedWithinDue, row.triaged + row.triageOverdue),
    triaged: row.triaged,
    triageOverdue: row.triageOverdue,
    actions: row.actions,
    actionCompletionRate: rate(row.actionsDone, row.actions),
    overdueActions: row.overdueActions,
    verificationPassRate: rateOrNull(row.checksPassed, row.checksPerformed),
    reopenedAfterClosure: row.reopenedAfterClosure,
    notSystemControlShare: rate(
      row.barriers.reduce((sum, barrier) => sum + notSystem(barrier), 0),
      row.reports,
    ),
    barrierReliability: row.barriers.map((barrier) => ({
      ...barrier,
      reports: barrierTotal(barrier),
      notSystemControlShare: rate(notSystem(barrier), barrierTotal(barrier)),
    })),
    reporterOutcomeWithin14DaysRate: rate(row.outcomeWithin14Days, row.outcomeEligible),
  };
}

export async function signalHealth(context: Context, filter: NearMissFilter | null | undefined): Promise<SignalHealth> {
  const selection = filterOf(filter);
  const scope = analyticsScopeOf(context.principal, selection);
  return context.db.read((tx) => healthOf(tx, context, scope, selection, new Date()));
}

export interface SignalsRequest {
  filter?: NearMissFilter | null;
  interval?: TrendIntervalValue | null;
  groupBy?: SignalGroupingValue[] | null;
  chart?: SpcChartValue | null;
  baselinePeriods?: number | null;
  onlyWithSignals?: boolean | null;
}

/** How far back a chart reaches when the filter gives no start. */
const defaultSpanDays: Record<TrendIntervalValue, number> = { DAY: 90, WEEK: 52 * 7, MONTH: 730 };

async function chartsOf(
  tx: Transaction,
  scope: ReadScope,
  selection: NearMissFilter,
  request: Required<Omit<SignalsRequest, 'filter' | 'onlyWithSignals'>>,
  now: Date,
) {
  const interval = request.interval!;
  const to = selection.occurredTo && selection.occurredTo.getTime() < now.getTime() ? selection.occurredTo : now;
  const from = selection.occurredFrom ?? new Date(to.getTime() - defaultSpanDays[interval] * dayMs);
  // Only whole periods: a part-week at either end would read as a dip.
  const { starts: periods, end } = await loadPeriods(tx, scope.tenantId, interval, from, to);
  if (!periods.length) return [];
  const counts = await loadSeriesCounts(
    tx,
    scope,
    { ...selection, occurredFrom: periods[0], occurredTo: end },
    interval,
    {
      service: request.groupBy!.includes('SERVICE'),
      category: request.groupBy!.includes('CATEGORY'),
      workflowStage: request.groupBy!.includes('WORKFLOW_STAGE'),
    },
  );
  return controlCharts(periods, counts, request.chart!, interval, request.baselinePeriods!);
}

const signalsSchema = z.object({
  interval: z.enum(['DAY', 'WEEK', 'MONTH']).default('WEEK'),
  groupBy: z
    .array(z.enum(['SERVICE', 'CATEGORY', 'WORKFLOW_STAGE']))
    .max(3)
    .default(['SERVICE', 'CATEGORY']),
  chart: z.enum(['XMR', 'C']).default('XMR'),
  baselinePeriods: z
    .number()
    .int()
    .min(8, 'must be at least 8 (Making Data Count recommends 15 to 20)')
    .max(104, 'must be at most 104')
    .default(20),
});

/**
 * Control charts of near misses per period (weekly by default) per service
 * and category, with Making Data Count's special-cause rules: which rule
 * fired, when, and the baseline it compared against.
 */
export async function nearMissSignals(context: Context, request: SignalsRequest): Promise<SpcSeries[]> {
  const selection = filterOf(request.filter);
  const scope = analyticsScopeOf(context.principal, selection);
  const options = validate(signalsSchema, {
    interval: request.interval ?? undefined,
    groupBy: request.groupBy ?? undefined,
    chart: request.chart ?? undefined,
    baselinePeriods: request.baselinePeriods ?? undefined,
  });
  const charts = await context.db.read((tx) => chartsOf(tx, scope, selection, options, new Date()));
  return request.onlyWithSignals ? charts.filter((chart) => chart.signals.length > 0) : charts;
}

/** Everything a weekly operational review and a monthly board pack need, as aggregates. */
export async function governanceSummary(
  context: Context,
  from: Date,
  to: Date,
  serviceIds?: string[] | null,
): Promise<GovernanceSummary> {
  authorize(context.principal, 'analytics.read');
  const period = validate(
    z
      .object({ from: z.date(), to: z.date(), serviceIds: z.array(z.string().min(1).max(100)).max(200).optional() })
      .refine((value) => value.to.getTime() > value.from.getTime(), { path: ['to'], message: 'must be after from' })
      .refine((value) => value.to.getTime() - value.from.getTime() <= 800 * dayMs, {
        path: ['to'],
        message: 'a summary covers at most about two years',
      }),
    { from, to, serviceIds: serviceIds ?? undefined },
  );
  const selection: NearMissFilter = { occurredFrom: period.from, occurredTo: period.to, serviceIds: period.serviceIds };
  const scope = analyticsScopeOf(context.principal, selection);
  const now = new Date();
  return context.db.read(async (tx) => {
    const breakdown = (dimension: TrendDimensionValue) =>
      trendBuckets(tx, scope, selection, dimension, null, {
        shiftTransitionMinutes: defaultShiftTransitionMinutes,
        periodStart: period.from,
      });
    const figures = await loadGovernanceFigures(tx, scope, period, now);
    // A year of weekly charts up to the end of the period; signals that reach into it.
    const charts = await chartsOf(
      tx,
      scope,
      { serviceIds: period.serviceIds, occurredTo: period.to },
      { interval: 'WEEK', groupBy: ['SERVICE', 'CATEGORY'], chart: 'XMR', baselinePeriods: 20 },
      now,
    );
    const signals: ChartSignal[] = charts
      .flatMap((chart) => chart.signals)
      .filter((signal) => signal.periodEnd.getTime() >= period.from.getTime());
    return {
      periodStart: period.from,
      periodEnd: period.to,
      signalHealth: await healthOf(tx, context, scope, selection, now),
      byCategory: await breakdown('CATEGORY'),
      byService: await breakdown('SERVICE'),
      byWorkflowStage: await breakdown('WORKFLOW_STAGE'),
      byContributingFactor: await breakdown('CONTRIBUTING_FACTOR'),
      byShiftPhase: await breakdown('SHIFT_PHASE'),
      byHourOfDay: await breakdown('HOUR_OF_DAY'),
      repeatPatterns: await loadReviews(tx, scope, {
        serviceIds: period.serviceIds,
        activeFrom: period.from,
        activeTo: period.to,
      }),
      riskReviewsOpened: figures.riskReviewsOpened,
      riskReviewsConcluded: figures.riskReviewsConcluded,
      riskReviewsOverdue: figures.riskReviewsOverdue,
      actionsIssued: figures.actionsIssued,
      actionsOverdue: figures.actionsOverdue,
      weakOnlyActionPlans: figures.weakOnlyActionPlans,
      verificationOutcomes: figures.verification,
      reopenedItems: figures.reopenedItems,
      notificationsOverdue: await countOverdueNotifications(
        tx,
        scope.tenantId,
        {
          caller: scope.serviceIds === '*' ? null : scope.serviceIds,
          asked: period.serviceIds?.length ? period.serviceIds : null,
        },
        period.to.getTime() < now.getTime() ? period.to : now,
      ),
      reclassifiedAsIncidents: figures.reclassifiedAsIncidents,
      weakOnlyOverrides: figures.weakOnlyOverrides,
      sharedLearning: await loadActionsAcrossServices(tx, scope.tenantId, {
        from: period.from,
        to: period.to,
        callerServiceIds: scope.serviceIds === '*' ? null : scope.serviceIds,
        askedServiceIds: period.serviceIds?.length ? period.serviceIds : null,
      }),
      signals,
    };
  });
}

export interface UpdateAnalyticsSettingsInput {
  timeZone: string;
}

/** Sets the provider's time zone for analytics (an IANA name the database knows, e.g. America/New_York). */
export async function updateAnalyticsSettings(
  tx: Transaction,
  actor: Actor,
  input: UpdateAnalyticsSettingsInput,
): Promise<AnalyticsSettings> {
  authorize(actor.principal, 'settings.configure');
  const settings = validate(z.object({ timeZone: z.string().trim().min(1).max(64) }), input);
  if (!(await isKnownTimeZone(tx, settings.timeZone))) {
    throw badUserInput([
      {
        path: 'timeZone',
        message: 'is not a time zone name the database knows (e.g. Europe/London, America/New_York)',
      },
    ]);
  }
  const { tenantId, staffId } = actor.principal;
  const before = await loadAnalyticsSettings(tx, tenantId);
  await saveAnalyticsSettings(tx, tenantId, settings, staffId);
  await recordAudit(tx, {
    tenantId,
    actor: staffId,
    action: 'analytics_settings.updated',
    detail: { before, after: settings },
  });
  return { timeZone: settings.timeZone };
}
