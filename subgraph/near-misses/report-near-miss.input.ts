import { Field, ID, InputType } from 'type-graphql';
import { GraphQLJSON } from 'graphql-scalars';
import {
  CareSetting,
  PotentialHarm,
  PreventionReliability,
  ReporterIdentity,
  WorkflowStage,
} from '../domain/graphql-enums';
import { WorkflowContextInput } from './workflow-context.type';
import type {
  CareSettingValue,
  PotentialHarmValue,
  PreventionReliabilityValue,
  ReporterIdentityValue,
  WorkflowStageValue,
} from '../domain/vocabulary';

@InputType({ description: "The minimum dataset of a near miss, plus the category's own `details`." })
export class ReportNearMissInput {
  @Field(() => ID) serviceId!: string;
  @Field(() => ID, { description: 'A category key from `categories`' }) category!: string;
  @Field() occurredAt!: Date;
  @Field({ nullable: true, description: 'When it was noticed, if later than it occurred' }) detectedAt?: Date;
  @Field(() => CareSetting) setting!: CareSettingValue;
  @Field() whatHappened!: string;
  @Field() howDetected!: string;
  @Field() whatPreventedHarm!: string;
  @Field(() => PreventionReliability) preventionReliability!: PreventionReliabilityValue;
  @Field(() => [String]) immediateActions!: string[];
  @Field({ nullable: true }) whatMadeThisPossible?: string;
  @Field(() => [String], { nullable: true }) contributingFactors?: string[];
  @Field(() => WorkflowStage, { nullable: true }) workflowStage?: WorkflowStageValue;
  @Field(() => PotentialHarm) potentialHarm!: PotentialHarmValue;
  @Field(() => ID, { nullable: true }) personId?: string;
  @Field(() => [ID], { nullable: true }) staffInvolvedIds?: string[];
  @Field(() => ID, { nullable: true }) visitId?: string;
  @Field(() => ID, { nullable: true }) medicationRecordId?: string;
  @Field(() => ID, { nullable: true }) shiftId?: string;
  @Field(() => ID, { nullable: true }) carePlanId?: string;
  @Field(() => GraphQLJSON, { description: "The category's own fields; see `categories { fieldsSchema }`" })
  details!: unknown;
  @Field(() => WorkflowContextInput, {
    nullable: true,
    description:
      "The host's rota, MAR and care plan as they stood: shift, scheduled time, time-critical medicine, care plan review, agency staff",
  })
  workflowContext?: WorkflowContextInput;
  @Field(() => ReporterIdentity, {
    nullable: true,
    description:
      "NAMED (the default), CONFIDENTIAL (only triage leads, the category's restricted roles and managers see who reported) or ANONYMOUS (no identity stored; the payload returns a receipt code once)",
  })
  identity?: ReporterIdentityValue;
}
