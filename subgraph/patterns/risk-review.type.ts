import { Directive, Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ActionStrength, ActionType } from '../corrective-actions/corrective-action.type';
import type { ActionStrengthValue, ActionTypeValue } from '../corrective-actions/action-rules';
import { repeatTriggerBases, type RepeatTriggerBasis } from './repeat-trigger-keys';
import { enumOf } from '../domain/graphql-enums';

/** What a manager's review found behind the pattern (the seed's "rota pressure, communication gaps, unclear task allocation"). */
export const riskReviewCauses = [
  'ROTA_PRESSURE',
  'HANDOVER',
  'COMMUNICATION',
  'UNCLEAR_TASK_ALLOCATION',
  'STAFFING_SKILL_MIX',
  'TRAINING_OR_COMPETENCE',
  'CARE_PLAN_OUT_OF_DATE',
  'PHARMACY_OR_SUPPLY',
  'EQUIPMENT_OR_ENVIRONMENT',
  'DOCUMENTATION_DESIGN',
  'WORKLOAD',
  'OTHER',
] as const;
export type RiskReviewCauseValue = (typeof riskReviewCauses)[number];

export const riskReviewStatuses = ['OPEN', 'CONCLUDED'] as const;
export type RiskReviewStatusValue = (typeof riskReviewStatuses)[number];

export const RiskReviewStatus = enumOf(riskReviewStatuses);
export const RiskReviewCause = enumOf(riskReviewCauses);
export const RepeatTriggerBasisEnum = enumOf(repeatTriggerBases);

registerEnumType(RiskReviewStatus, { name: 'RiskReviewStatus', description: 'OPEN until the manager concludes it.' });
registerEnumType(RiskReviewCause, { name: 'RiskReviewCause', description: 'An underlying cause a risk review found.' });
registerEnumType(RepeatTriggerBasisEnum, {
  name: 'RepeatTriggerBasis',
  description:
    "Why the near misses count as similar: the category's own similarity fields (e.g. same person and medication), or the same service and workflow stage, or the same service and contributing factor.",
});

@Directive('@key(fields: "id")')
@ObjectType({ description: 'A manager review opened by the repeat trigger: repetition matters more than outcome.' })
export class RiskReview {
  @Field(() => ID) id!: string;
  @Field(() => RiskReviewStatus) status!: RiskReviewStatusValue;
  @Field({
    description:
      'In plain words, e.g. "3 medication near misses for one person with the same medication name in 14 days"',
  })
  reason!: string;
  @Field() openedAt!: Date;
  @Field(() => String, {
    nullable: true,
    description: "The manager's conclusion (withheld from GOVERNANCE and ANALYST: free text)",
  })
  conclusion!: string | null;
  @Field(() => ID) serviceId!: string;
  @Field(() => ID, { description: 'Category key of the near misses' }) categoryKey!: string;
  @Field(() => RepeatTriggerBasisEnum) basis!: RepeatTriggerBasis;
  @Field(() => Int, { description: 'The rule that fired: this many similar near misses ...' }) threshold!: number;
  @Field(() => Int, { description: '... within this many days' }) windowDays!: number;
  @Field(() => Int, { description: 'Near misses in the review so far' }) nearMissCount!: number;
  @Field({ description: 'When the manager should have concluded it' }) dueBy!: Date;
  @Field({ description: 'Open and past dueBy' }) overdue!: boolean;
  @Field(() => [RiskReviewCause], { description: 'Causes found at conclusion' }) causes!: RiskReviewCauseValue[];
  @Field({ nullable: true }) concludedAt?: Date;
  @Field(() => Int) version!: number;

  tenantId!: string;
  assignedToId?: string;
  concludedById?: string;
}

@InputType({
  description:
    "A corrective action decided by the review; it applies to the review's triaged near misses unless nearMissIds says otherwise.",
})
export class RiskReviewActionInput {
  @Field(() => [ID], { nullable: true }) nearMissIds?: string[];
  @Field() title!: string;
  @Field(() => ID) ownerId!: string;
  @Field() dueBy!: Date;
  @Field(() => ActionStrength) strength!: ActionStrengthValue;
  @Field(() => ActionType, { nullable: true }) actionType?: ActionTypeValue;
  @Field(() => [String]) evidenceRequired!: string[];
  @Field() target!: string;
  @Field(() => [ID], { nullable: true }) serviceIds?: string[];
  @Field(() => Int, { nullable: true }) monitoringDays?: number;
}

@ObjectType({
  description: "A provider's repeat-trigger rule for one category ('*': every category without its own rule).",
})
export class RepeatTriggerRuleType {
  @Field(() => ID) category!: string;
  @Field(() => Int) threshold!: number;
  @Field(() => Int) windowDays!: number;
  @Field(() => Int) reviewDueDays!: number;
  @Field() enabled!: boolean;
  @Field({ description: 'False when no rule is stored and the default (3 in 14 days, reviewed within 7) applies' })
  configured!: boolean;
}

@InputType()
export class RepeatTriggerRuleInput {
  @Field(() => ID, { description: "A category key, or '*' for every category without its own rule" }) category!: string;
  @Field(() => Int) threshold!: number;
  @Field(() => Int) windowDays!: number;
  @Field(() => Int, { nullable: true, defaultValue: 7 }) reviewDueDays?: number;
  @Field({ nullable: true, defaultValue: true }) enabled?: boolean;
}

@ObjectType({ description: 'Who manages a service: risk reviews of the service are assigned to them.' })
export class ServiceManagerAssignment {
  @Field(() => ID) serviceId!: string;
  @Field(() => ID) staffId!: string;
}
