import { Directive, Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { VerificationMethod, enumOf } from '../domain/graphql-enums';
import { recurrenceScopes, type RecurrenceScopeValue, type VerificationMethodValue } from '../domain/vocabulary';
import { Staff } from '../host-entities/host-entity.types';
import { verificationResults, type VerificationResultValue } from '../verification/verification-rules';
import {
  actionStatuses,
  actionStrengths,
  actionTypes,
  type ActionStatusValue,
  type ActionStrengthValue,
  type ActionTypeValue,
} from './action-rules';

export const ActionStrength = enumOf(actionStrengths);
export const ActionStatus = enumOf(actionStatuses);
export const ActionType = enumOf(actionTypes);
export const VerificationResult = enumOf(verificationResults);
export const RecurrenceScope = enumOf(recurrenceScopes);

registerEnumType(RecurrenceScope, {
  name: 'RecurrenceScope',
  description:
    "Which later near miss reopens a done action: SAME_PERSON (the category's similarity, e.g. the same person and medicine) or SAME_KIND_IN_SERVICES (the same kind of near miss to anyone in its services: a service-wide control)",
});

registerEnumType(ActionStrength, {
  name: 'ActionStrength',
  description:
    'Stronger: forcing functions, redesign, standardisation. Intermediate: checklists, staffing, prompts. Weaker: training, reminders, policy.',
});
registerEnumType(ActionStatus, { name: 'ActionStatus' });
registerEnumType(ActionType, { name: 'ActionType', description: 'The kind of control; it implies the strength.' });
registerEnumType(VerificationResult, { name: 'VerificationResult' });

@Directive('@key(fields: "id")')
@ObjectType({ description: 'A named change to a control, with an owner, a target and evidence.' })
export class CorrectiveAction {
  @Field(() => ID) id!: string;
  @Field() title!: string;
  @Field(() => Staff) owner!: Staff;
  @Field() dueBy!: Date;
  @Field(() => ActionStatus) status!: ActionStatusValue;
  @Field(() => ActionStrength) strength!: ActionStrengthValue;
  @Field(() => ActionType, { nullable: true }) actionType?: ActionTypeValue;
  @Field(() => [String]) evidenceRequired!: string[];
  @Field(() => [String], { description: 'Evidence given at completion' }) evidence!: string[];
  @Field({ description: 'Measurable, e.g. "no repeat time-critical near misses for 6 weeks"' }) target!: string;
  @Field(() => [ID], { description: 'Where the control applies: learning shared across services' })
  serviceIds!: string[];
  @Field(() => Boolean, { nullable: true, description: 'null until verification concludes' }) effective!:
    boolean | null;
  @Field(() => String, { nullable: true }) effectivenessReason!: string | null;
  @Field(() => Int, { description: 'Days after completion in which a similar near miss reopens the action' })
  monitoringDays!: number;
  @Field(() => RecurrenceScope, { description: 'Which later near miss reopens it within monitoringDays' })
  recurrenceScope!: RecurrenceScopeValue;
  @Field(() => Int, {
    description:
      'The measurable target: at most this many near misses of what it answers for (recurrenceScope, serviceIds) in monitoringDays after completion',
  })
  targetMaxRecurrences!: number;
  @Field({ nullable: true }) monitoringUntil?: Date;
  @Field({ nullable: true }) completedAt?: Date;
  @Field(() => String, { nullable: true }) cancelledReason!: string | null;
  @Field({ description: 'Open and past its due date' }) overdue!: boolean;
  @Field(() => Int) reopenCount!: number;

  ownerId!: string;
  tenantId!: string;
}

@Directive('@key(fields: "id")')
@ObjectType({ description: 'One scheduled check that a corrective action works.' })
export class VerificationCheck {
  @Field(() => ID) id!: string;
  @Field(() => VerificationMethod) method!: VerificationMethodValue;
  @Field() dueAt!: Date;
  @Field({ nullable: true }) performedAt?: Date;
  @Field(() => VerificationResult, { nullable: true }) result?: VerificationResultValue;
  @Field(() => [String], { description: 'References: MAR entries, audit ids, rota records, minutes' })
  evidence!: string[];
  @Field(() => String, { nullable: true }) notes!: string | null;
  @Field({ description: 'Not yet performed and past its due time' }) overdue!: boolean;
  @Field(() => Int, { description: 'Position in its series, from 1' }) sequence!: number;

  actionId!: string;
  performedById?: string;
}

@ObjectType({ description: 'How many live actions of each strength a plan has.' })
export class StrengthMix {
  @Field(() => Int) stronger!: number;
  @Field(() => Int) intermediate!: number;
  @Field(() => Int) weaker!: number;
}

@ObjectType({ description: 'Everything done about one near miss: actions, their strength, checks and effectiveness.' })
export class ActionPlan {
  @Field(() => [CorrectiveAction]) actions!: CorrectiveAction[];
  @Field(() => StrengthMix) strengthMix!: StrengthMix;
  @Field({ description: 'True when every live action is WEAKER (e.g. only "we reminded staff")' }) weakOnly!: boolean;
  @Field(() => Int) checksScheduled!: number;
  @Field(() => Int) checksPassed!: number;
  @Field(() => Int) checksFailed!: number;
  @Field(() => Int) checksOverdue!: number;
  @Field(() => Boolean, {
    nullable: true,
    description: 'True when every done action is effective; false when any is not; null until concluded',
  })
  effective!: boolean | null;
  @Field(() => String, { nullable: true, description: 'Why no action is needed, when the triage lead said so' })
  noActionReason!: string | null;
}

@InputType()
export class CorrectiveActionInput {
  @Field(() => [ID]) nearMissIds!: string[];
  @Field() title!: string;
  @Field(() => ID) ownerId!: string;
  @Field() dueBy!: Date;
  @Field(() => ActionStrength, { description: "Must match actionType's strength when that is given" })
  strength!: ActionStrengthValue;
  @Field(() => ActionType, { nullable: true }) actionType?: ActionTypeValue;
  @Field(() => [String]) evidenceRequired!: string[];
  @Field() target!: string;
  @Field(() => [ID], { nullable: true, description: 'Defaults to the services of the near misses' })
  serviceIds?: string[];
  @Field(() => Int, {
    nullable: true,
    description: 'Monitoring window after completion, in days (default 42: six weeks)',
  })
  monitoringDays?: number;
  @Field(() => RecurrenceScope, {
    nullable: true,
    description: "Defaults to what the near misses' category suggests (SAME_PERSON unless its plugin says otherwise)",
  })
  recurrenceScope?: RecurrenceScopeValue;
  @Field(() => Int, {
    nullable: true,
    description:
      'At most this many near misses of what it answers for during monitoringDays after completion (default 0)',
  })
  targetMaxRecurrences?: number;
}

@ObjectType({
  description:
    'The measurable target evaluated: near misses of what the action answers for (its recurrence scope, in its services) over monitoringDays before completion and since',
})
export class TargetEvaluation {
  @Field(() => Int) windowDays!: number;
  @Field(() => Int, { description: 'In the window before completion (before now, while open)' }) before!: number;
  @Field(() => Int, { nullable: true, description: 'Since completion, within the window; null until completed' })
  after!: number | null;
  @Field(() => Int) maxAfter!: number;
  @Field(() => Boolean, {
    nullable: true,
    description: 'False once after exceeds maxAfter; true once the window has passed within it; null until then',
  })
  met!: boolean | null;
}

@InputType()
export class VerificationScheduleInput {
  @Field(() => ID) actionId!: string;
  @Field(() => VerificationMethod) method!: VerificationMethodValue;
  @Field() firstDueAt!: Date;
  @Field(() => Int) everyDays!: number;
  @Field(() => Int) count!: number;
}
