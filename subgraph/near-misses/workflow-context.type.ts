import { Field, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { shiftPhases, staffEmployments, type ShiftPhaseValue, type StaffEmploymentValue } from './workflow-context';
import { enumOf } from '../domain/graphql-enums';

export const StaffEmployment = enumOf(staffEmployments);
export const ShiftPhase = enumOf(shiftPhases);

registerEnumType(StaffEmployment, {
  name: 'StaffEmployment',
  description: 'How the member of staff involved was employed, per the rota.',
});
registerEnumType(ShiftPhase, {
  name: 'ShiftPhase',
  description:
    'Where in the shift a near miss happened: within the transition window (default 60 minutes) of its start or end, mid-shift, outside it, or unknown.',
});

@InputType({
  description:
    "A snapshot of the host's rota, MAR and care plan when the near miss occurred; stored with the report so analysis reflects what was known then.",
})
export class WorkflowContextInput {
  @Field({ nullable: true, description: 'Start of the shift of the staff involved (give with shiftEndsAt)' })
  shiftStartsAt?: Date;
  @Field({ nullable: true }) shiftEndsAt?: Date;
  @Field({ nullable: true, description: 'When the dose or visit was scheduled' }) scheduledAt?: Date;
  @Field({ nullable: true, description: 'The MAR marks the medicine time-critical' }) timeCriticalMedicine?: boolean;
  @Field({ nullable: true }) carePlanLastReviewedAt?: Date;
  @Field({
    nullable: true,
    description:
      "The care plan's next review date, when the host has one (else overdue means not reviewed for 182 days)",
  })
  carePlanReviewDueAt?: Date;
  @Field(() => StaffEmployment, { nullable: true }) staffEmployment?: StaffEmploymentValue;
}

@ObjectType({ description: 'The host context stored with a report, and what was derived from it at report time.' })
export class WorkflowContext {
  @Field({ nullable: true }) shiftStartsAt?: Date;
  @Field({ nullable: true }) shiftEndsAt?: Date;
  @Field({ nullable: true }) scheduledAt?: Date;
  @Field({ description: 'A time-critical medicine was involved (from the MAR, or the category details)' })
  timeCriticalMedicine!: boolean;
  @Field({ nullable: true }) carePlanLastReviewedAt?: Date;
  @Field({ nullable: true }) carePlanReviewDueAt?: Date;
  @Field(() => StaffEmployment, { nullable: true }) staffEmployment?: StaffEmploymentValue;
  @Field(() => Int, {
    nullable: true,
    description: 'Minutes from the shift start to the occurrence (negative: before the shift)',
  })
  minutesAfterShiftStart?: number;
  @Field(() => Int, {
    nullable: true,
    description: 'Minutes from the occurrence to the shift end (negative: after the shift)',
  })
  minutesBeforeShiftEnd?: number;
  @Field(() => Int, {
    nullable: true,
    description: 'Minutes from the scheduled dose or visit to the occurrence (positive: late)',
  })
  minutesAfterScheduled?: number;
  @Field(() => ShiftPhase, { description: 'With the default 60-minute transition window' })
  shiftPhase!: ShiftPhaseValue;
  @Field({ nullable: true, description: 'The care plan was overdue for review when the near miss occurred' })
  carePlanReviewOverdue?: boolean;
}
