import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { TriageRoute } from '../domain/graphql-enums';
import type { TriageRouteValue } from '../domain/vocabulary';
import { Staff } from '../host-entities/host-entity.types';
import { JustCultureClass, type JustCultureClassValue } from './just-culture';

@ObjectType({ description: 'The triage decision on a near miss: rules suggest, a human decides.' })
export class Triage {
  @Field(() => TriageRoute) route!: TriageRouteValue;
  @Field(() => TriageRoute) suggestedRoute!: TriageRouteValue;
  @Field({ nullable: true, description: 'Why the chosen route differs from the suggestion' }) overrideReason?: string;
  @Field() sameDay!: boolean;
  @Field() dueBy!: Date;
  @Field() triagedAt!: Date;
  @Field(() => Staff) triagedBy!: Staff;
  @Field({ description: 'True when triage happened by dueBy' }) withinDue!: boolean;
  @Field(() => JustCultureClass, {
    nullable: true,
    description: 'Visible to triage leads and line management only (null for everyone else)',
  })
  justCulture?: JustCultureClassValue;
  @Field({ nullable: true, description: 'The response the classification calls for; visible like justCulture' })
  justCultureResponse?: string;
  @Field(() => [String], {
    description: 'Who must be told, e.g. "on-call nurse", "case manager", "family representative"',
  })
  notify!: string[];
  @Field() rationale!: string;
}

@InputType()
export class TriageInput {
  @Field(() => ID) nearMissId!: string;
  @Field(() => Int) expectedVersion!: number;
  @Field(() => TriageRoute) route!: TriageRouteValue;
  @Field({ nullable: true, description: 'Required when route differs from the suggested route' })
  overrideReason?: string;
  @Field(() => JustCultureClass) justCulture!: JustCultureClassValue;
  @Field(() => [String], { nullable: true, description: 'Defaults to whom the rules suggested' }) notify?: string[];
  @Field() rationale!: string;
}

@ObjectType({ description: "A provider's settings" })
export class TenantSettingsType {
  @Field(() => Int, { description: 'Hours to triage a report that a same-day rule flagged (default 4)' })
  sameDayTriageHours!: number;
  @Field(() => Int, { description: 'Hours to triage any other report (default 24)' }) standardTriageHours!: number;
  @Field(() => Int, {
    description: 'Months after closure that free text is kept; applyRetention erases older text (default 96)',
  })
  retentionMonths!: number;
  @Field({
    description:
      'Triage cannot complete until the report names the workflow stage that allowed it (set it with amendNearMiss); default true',
  })
  requireWorkflowStageForTriage!: boolean;
}

@InputType()
export class TenantSettingsInput {
  @Field(() => Int, { nullable: true }) sameDayTriageHours?: number;
  @Field(() => Int, { nullable: true }) standardTriageHours?: number;
  @Field(() => Int, { nullable: true, description: '12 to 600' }) retentionMonths?: number;
  @Field({ nullable: true }) requireWorkflowStageForTriage?: boolean;
}
