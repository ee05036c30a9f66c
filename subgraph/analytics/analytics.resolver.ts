import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { authorize } from '../auth/role-matrix';
import { NearMissFilter } from '../near-misses/near-miss.filter';
import { defaultShiftTransitionMinutes } from '../near-misses/workflow-context';
import type { RequestContext } from '../server/context';
import { loadAnalyticsSettings } from './analytics.repository';
import {
  governanceSummary,
  nearMissSignals,
  nearMissTrends,
  signalHealth,
  updateAnalyticsSettings,
  workflowStageAnalysis,
} from './analytics.service';
import {
  AnalyticsSettingsType,
  GovernanceSummary,
  SignalGrouping,
  SignalHealth,
  SpcChart,
  SpcSeries,
  StageBreakdown,
  TrendBucket,
  TrendDimension,
  TrendInterval,
  type SignalGroupingValue,
  type TrendDimensionValue,
  type TrendIntervalValue,
} from './analytics.type';
import type { SpcChartValue } from './spc';

const transitionDescription = 'Minutes either side of a shift start or end that count as the transition (default 60)';

/** Aggregates for analysts, managers and boards: counts only, scoped to the caller's tenant and services. */
@Resolver()
export class AnalyticsResolver {
  @Query(() => [TrendBucket], {
    description: 'Near misses per period by a dimension. A rising count can be a healthy sign of trust.',
  })
  nearMissTrends(
    @Arg('dimension', () => TrendDimension) dimension: TrendDimensionValue,
    @Arg('interval', () => TrendInterval) interval: TrendIntervalValue,
    @Ctx() context: RequestContext,
    @Arg('filter', () => NearMissFilter, { nullable: true }) filter?: NearMissFilter,
    @Arg('shiftTransitionMinutes', () => Int, {
      nullable: true,
      defaultValue: defaultShiftTransitionMinutes,
      description: transitionDescription,
    })
    shiftTransitionMinutes?: number,
  ): Promise<TrendBucket[]> {
    return nearMissTrends(
      context,
      filter,
      dimension,
      interval,
      shiftTransitionMinutes ?? defaultShiftTransitionMinutes,
    );
  }

  @Query(() => [StageBreakdown], {
    description:
      'Which part of the workflow allowed these near misses: counts by stage with shift transitions, time-critical medicines, overdue care plans, agency staff, weekends and nights, compared with the tenant as a whole.',
  })
  workflowStageAnalysis(
    @Ctx() context: RequestContext,
    @Arg('filter', () => NearMissFilter, { nullable: true }) filter?: NearMissFilter,
    @Arg('shiftTransitionMinutes', () => Int, {
      nullable: true,
      defaultValue: defaultShiftTransitionMinutes,
      description: transitionDescription,
    })
    shiftTransitionMinutes?: number,
  ): Promise<StageBreakdown[]> {
    return workflowStageAnalysis(context, filter, shiftTransitionMinutes ?? defaultShiftTransitionMinutes);
  }

  @Query(() => SignalHealth, {
    description:
      'Report volume, category spread, time to triage, action completion, verification results, barrier reliability and reporter feedback.',
  })
  signalHealth(
    @Ctx() context: RequestContext,
    @Arg('filter', () => NearMissFilter, { nullable: true }) filter?: NearMissFilter,
  ): Promise<SignalHealth> {
    return signalHealth(context, filter);
  }

  @Query(() => [SpcSeries], {
    description:
      'Statistical process control in the style of NHS "Making Data Count": a control chart of near misses per period for each service and category, with the special causes found after the baseline (which rule, when, against which baseline). Without occurredFrom, charts cover the last 52 weeks (90 days, 24 months).',
  })
  nearMissSignals(
    @Ctx() context: RequestContext,
    @Arg('filter', () => NearMissFilter, { nullable: true }) filter?: NearMissFilter,
    @Arg('interval', () => TrendInterval, { nullable: true, defaultValue: 'WEEK' }) interval?: TrendIntervalValue,
    @Arg('groupBy', () => [SignalGrouping], {
      nullable: true,
      defaultValue: ['SERVICE', 'CATEGORY'],
      description:
        'One chart per service, per category, per workflow stage ("which part of the workflow allowed this?"), per any combination, or [] for one overall',
    })
    groupBy?: SignalGroupingValue[],
    @Arg('chart', () => SpcChart, { nullable: true, defaultValue: 'XMR' }) chart?: SpcChartValue,
    @Arg('baselinePeriods', () => Int, {
      nullable: true,
      defaultValue: 20,
      description: 'Periods that set the mean and limits',
    })
    baselinePeriods?: number,
    @Arg('onlyWithSignals', () => Boolean, { nullable: true, defaultValue: false }) onlyWithSignals?: boolean,
  ): Promise<SpcSeries[]> {
    return nearMissSignals(context, { filter, interval, groupBy, chart, baselinePeriods, onlyWithSignals });
  }

  @Query(() => GovernanceSummary, {
    description:
      'The weekly operational review and monthly board pack for a period: aggregates only (GOVERNANCE sees no individual near miss).',
  })
  governanceSummary(
    @Arg('from') from: Date,
    @Arg('to') to: Date,
    @Ctx() context: RequestContext,
    @Arg('serviceIds', () => [ID], { nullable: true }) serviceIds?: string[],
  ): Promise<GovernanceSummary> {
    return governanceSummary(context, from, to, serviceIds);
  }

  @Query(() => AnalyticsSettingsType, { description: "Your organisation's analytics settings" })
  async analyticsSettings(@Ctx() context: RequestContext): Promise<AnalyticsSettingsType> {
    authorize(context.principal, 'settings.read');
    return context.db.read((tx) => loadAnalyticsSettings(tx, context.principal.tenantId));
  }

  @Mutation(() => AnalyticsSettingsType, {
    description: 'Sets the time zone of periods, hours of day, weekends and nights.',
  })
  updateAnalyticsSettings(
    @Arg('timeZone') timeZone: string,
    @Ctx() context: RequestContext,
  ): Promise<AnalyticsSettingsType> {
    return context.mutate((tx, actor) => updateAnalyticsSettings(tx, actor, { timeZone }));
  }
}
