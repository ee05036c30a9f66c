import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { CorrectiveAction } from '../corrective-actions/corrective-action.type';
import { WorkflowStage } from '../domain/graphql-enums';
import type { WorkflowStageValue } from '../domain/vocabulary';
import { RiskReview } from '../patterns/risk-review.type';
import { spcCharts, spcRules, type SpcChartValue, type SpcDirection, type SpcRuleValue } from './spc';
import { trendDimensions, trendIntervals, type TrendDimensionValue, type TrendIntervalValue } from './trend-dimensions';

const enumOf = <Values extends readonly string[]>(values: Values) =>
  Object.fromEntries(values.map((value) => [value, value])) as { [K in Values[number]]: K };
export const TrendDimension = enumOf(trendDimensions);
export const TrendInterval = enumOf(trendIntervals);
export const SpcChart = enumOf(spcCharts);
export const SpcRule = enumOf(spcRules);
export const SpcDirectionEnum = enumOf(['UP', 'DOWN'] as const);
export const signalGroupings = ['SERVICE', 'CATEGORY', 'WORKFLOW_STAGE'] as const;
export type SignalGroupingValue = (typeof signalGroupings)[number];
export const SignalGrouping = enumOf(signalGroupings);

registerEnumType(TrendDimension, {
  name: 'TrendDimension',
  description:
    "What to count near misses by. SHIFT_PHASE uses the stored shift times (60-minute transition window); HOUR_OF_DAY and DAY_OF_WEEK use the provider's time zone.",
});
registerEnumType(TrendInterval, {
  name: 'TrendInterval',
  description: "Period length; weeks start on Monday, in the provider's time zone.",
});
registerEnumType(SpcChart, {
  name: 'SpcChart',
  description:
    "XMR: individuals and moving range (Making Data Count's default). C: Poisson counts (better for small weekly counts).",
});
registerEnumType(SpcRule, {
  name: 'SpcRule',
  description:
    'Making Data Count special-cause rules: a point beyond the process limits; a run of 7 on one side of the mean; a trend of 6 rising or falling; two of three points close to a limit (beyond two sigma).',
});
registerEnumType(SpcDirectionEnum, {
  name: 'SpcDirection',
  description: 'UP: more near misses than the baseline; DOWN: fewer.',
});
registerEnumType(SignalGrouping, { name: 'SignalGrouping', description: 'What each control chart is per.' });

@ObjectType({ description: 'How many near misses fell in one period under one key.' })
export class TrendBucket {
  @Field() periodStart!: Date;
  @Field({ description: 'The dimension\'s value, e.g. a category key, a service id, a workflow stage, an hour "08"' })
  key!: string;
  @Field(() => Int) count!: number;
}

@ObjectType({
  description: 'Near misses at one workflow stage and what was around them: "which part of the workflow allowed this?"',
})
export class StageBreakdown {
  @Field(() => WorkflowStage, { description: 'OTHER also holds reports that gave no stage' })
  stage!: WorkflowStageValue;
  @Field(() => Int) count!: number;
  @Field(() => Int, {
    description: 'Within the transition window (default 60 minutes) of a shift start or end: handover time',
  })
  nearShiftTransition!: number;
  @Field(() => Int, { description: 'Involving a time-critical medicine' }) timeCriticalMedication!: number;
  @Field(() => Int, { description: 'With the care plan overdue for review when it happened' }) carePlanOverdue!: number;
  @Field(() => Int, { description: 'With agency staff involved' }) agencyStaff!: number;
  @Field(() => Int, { description: 'On a Saturday or Sunday (local time)' }) weekend!: number;
  @Field(() => Int, { description: 'Between 22:00 and 07:00 (local time)' }) night!: number;
  @Field(() => Float, { description: 'Share of the selection at this stage' }) share!: number;
  @Field(() => Int, { description: 'The same stage across the whole tenant (same filter, every service)' })
  tenantCount!: number;
  @Field(() => Float) tenantShare!: number;
  @Field(() => Float, { nullable: true, description: 'share / tenantShare' }) lift!: number | null;
  @Field({
    description: 'The selection clusters at this stage beyond chance compared with the tenant (at least 3, z ≥ 1.96)',
  })
  clustered!: boolean;
}

@ObjectType({ description: 'What stopped near misses in one service: the barrier-reliability signal.' })
export class ServiceBarrierReliability {
  @Field(() => ID) serviceId!: string;
  @Field(() => Int) reports!: number;
  @Field(() => Int) systemControl!: number;
  @Field(() => Int) individualVigilance!: number;
  @Field(() => Int) chance!: number;
  @Field(() => Float, { description: 'Stopped by chance or individual vigilance rather than a system control' })
  notSystemControlShare!: number;
}

@ObjectType({
  description: 'Is the reporting and learning system healthy? A rising report count can be a healthy sign of trust.',
})
export class SignalHealth {
  @Field(() => Int) reports!: number;
  @Field(() => Float, { description: '0..1, evenness of reports across the installed categories (normalised entropy)' })
  categorySpread!: number;
  @Field(() => Float, { nullable: true, description: 'Median hours from report to first triage' })
  medianHoursToTriage!: number | null;
  @Field(() => Float, { description: 'Of reports triaged or past their triage due time: the share triaged by it' })
  triagedWithinDueRate!: number;
  @Field(() => Int) triaged!: number;
  @Field(() => Int, { description: 'Not yet triaged and past their due time' }) triageOverdue!: number;
  @Field(() => Int, { description: 'Corrective actions linked to these near misses (not cancelled)' }) actions!: number;
  @Field(() => Float, { description: 'Done / not cancelled' }) actionCompletionRate!: number;
  @Field(() => Int) overdueActions!: number;
  @Field(() => Float, { nullable: true, description: 'Checks passed / checks performed (null before any)' })
  verificationPassRate!: number | null;
  @Field(() => Int, { description: 'Near misses reopened after closure or verification' })
  reopenedAfterClosure!: number;
  @Field(() => Float, { description: 'Share stopped by chance or individual vigilance rather than a system control' })
  notSystemControlShare!: number;
  @Field(() => [ServiceBarrierReliability]) barrierReliability!: ServiceBarrierReliability[];
  @Field(() => Float, {
    description:
      'Of reports at least 14 days old (or already answered): the share whose reporter got an outcome within 14 days',
  })
  reporterOutcomeWithin14DaysRate!: number;
}

@ObjectType({ description: 'The baseline a control chart compares against.' })
export class SpcBaselineType {
  @Field() from!: Date;
  @Field({ description: 'Start of the last period in the baseline' }) to!: Date;
  @Field(() => Int) periods!: number;
  @Field(() => Float) mean!: number;
  @Field(() => Float) lowerLimit!: number;
  @Field(() => Float) upperLimit!: number;
  @Field(() => Float) sigma!: number;
}

@ObjectType({ description: 'A special cause: which rule fired, when, against which baseline.' })
export class SpcSignalType {
  @Field(() => SpcRule) rule!: SpcRuleValue;
  @Field(() => SpcDirectionEnum) direction!: SpcDirection;
  @Field(() => ID, { nullable: true }) serviceId?: string;
  @Field(() => ID, { nullable: true }) category?: string;
  @Field(() => String, { nullable: true, description: 'With groupBy WORKFLOW_STAGE: the stage (or "(no stage)")' })
  workflowStage?: string;
  @Field({ description: 'Start of the first period of the signal' }) periodStart!: Date;
  @Field({ description: 'Start of the last period of the signal' }) periodEnd!: Date;
  @Field(() => Int) points!: number;
  @Field(() => SpcBaselineType) baseline!: SpcBaselineType;
  @Field({ description: 'In plain words' }) description!: string;
}

@ObjectType()
export class SpcPoint {
  @Field() periodStart!: Date;
  @Field(() => Int) count!: number;
}

@ObjectType({ description: 'One control chart: near misses per period for one service and/or category.' })
export class SpcSeries {
  @Field(() => ID, { nullable: true }) serviceId?: string;
  @Field(() => ID, { nullable: true }) category?: string;
  @Field(() => String, { nullable: true, description: 'With groupBy WORKFLOW_STAGE: the stage (or "(no stage)")' })
  workflowStage?: string;
  @Field(() => SpcChart) chart!: SpcChartValue;
  @Field(() => TrendInterval) interval!: TrendIntervalValue;
  @Field(() => SpcBaselineType) baseline!: SpcBaselineType;
  @Field(() => [SpcPoint]) points!: SpcPoint[];
  @Field(() => [SpcSignalType]) signals!: SpcSignalType[];
}

@ObjectType()
export class VerificationOutcomes {
  @Field(() => Int) pass!: number;
  @Field(() => Int) partial!: number;
  @Field(() => Int) fail!: number;
}

@ObjectType({
  description: 'What a weekly operational review and a monthly board pack need, for a period. Aggregates only.',
})
export class GovernanceSummary {
  @Field() periodStart!: Date;
  @Field() periodEnd!: Date;
  @Field(() => SignalHealth) signalHealth!: SignalHealth;
  @Field(() => [TrendBucket], { description: 'Near misses by theme (category); periodStart is the period start' })
  byCategory!: TrendBucket[];
  @Field(() => [TrendBucket]) byService!: TrendBucket[];
  @Field(() => [TrendBucket]) byWorkflowStage!: TrendBucket[];
  @Field(() => [TrendBucket]) byContributingFactor!: TrendBucket[];
  @Field(() => [TrendBucket], { description: 'By shift phase: start, end, mid-shift' }) byShiftPhase!: TrendBucket[];
  @Field(() => [TrendBucket], { description: 'By hour of day (local time)' }) byHourOfDay!: TrendBucket[];
  @Field(() => [RiskReview], { description: 'Risk reviews open at any time in the period: the repeat patterns' })
  repeatPatterns!: RiskReview[];
  @Field(() => Int) riskReviewsOpened!: number;
  @Field(() => Int) riskReviewsConcluded!: number;
  @Field(() => Int, { description: 'Open and past due now' }) riskReviewsOverdue!: number;
  @Field(() => Int, { description: 'Corrective actions created in the period' }) actionsIssued!: number;
  @Field(() => Int, { description: 'Open actions past due at the end of the period (or now)' }) actionsOverdue!: number;
  @Field(() => Int, { description: 'Near misses of the period whose only live actions are WEAKER ones' })
  weakOnlyActionPlans!: number;
  @Field(() => VerificationOutcomes, { description: 'Checks performed in the period' })
  verificationOutcomes!: VerificationOutcomes;
  @Field(() => Int, { description: 'Near misses reopened in the period' }) reopenedItems!: number;
  @Field(() => Int, {
    description: 'Notifications (who must be told) past due and not made at the end of the period (or now)',
  })
  notificationsOverdue!: number;
  @Field(() => Int, {
    description: 'Near misses reclassified as incidents in the period: they reached the person after all',
  })
  reclassifiedAsIncidents!: number;
  @Field(() => Int, {
    description:
      'Near misses a manager closed in the period on weaker actions alone although severe harm, a repeat review or an ineffective action called for more',
  })
  weakOnlyOverrides!: number;
  @Field(() => [CorrectiveAction], {
    description: 'Actions of the period that apply to more than one service: learning shared across services',
  })
  sharedLearning!: CorrectiveAction[];
  @Field(() => [SpcSignalType], {
    description: 'Special causes on weekly control charts per service and category that end in the period',
  })
  signals!: SpcSignalType[];
}

@ObjectType({ description: "The provider's analytics settings" })
export class AnalyticsSettingsType {
  @Field({ description: 'IANA time zone for periods, hours of day, weekends and nights (default Europe/London)' })
  timeZone!: string;
}

@InputType()
export class AnalyticsSettingsInput {
  @Field() timeZone!: string;
}

export type { TrendDimensionValue, TrendIntervalValue };
