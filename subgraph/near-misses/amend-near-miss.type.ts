import { GraphQLJSON } from 'graphql-scalars';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { PotentialHarm, WorkflowStage } from '../domain/graphql-enums';
import type { PotentialHarmValue, WorkflowStageValue } from '../domain/vocabulary';
import { Staff } from '../host-entities/host-entity.types';

@InputType({
  description:
    'A correction of a report: give only what changes, and why. Its reporter may correct it until triage; triage leads and managers at any time.',
})
export class AmendNearMissInput {
  @Field(() => ID) id!: string;
  @Field(() => Int) expectedVersion!: number;
  @Field({ description: 'Why the report is corrected; kept with the amendment' }) reason!: string;
  @Field({ nullable: true, description: 'A new category; give its details too' }) category?: string;
  @Field(() => GraphQLJSON, {
    nullable: true,
    description: "The category's fields in full, replacing the stored ones; see categories { fieldsSchema }",
  })
  details?: unknown;
  @Field(() => WorkflowStage, { nullable: true }) workflowStage?: WorkflowStageValue;
  @Field(() => [ID], {
    nullable: true,
    description: 'Codes of the contributingFactors taxonomy, replacing the stored codes (the reporter’s text stays)',
  })
  contributingFactorCodes?: string[];
  @Field(() => PotentialHarm, { nullable: true }) potentialHarm?: PotentialHarmValue;
}

@ObjectType({ description: 'A correction of a report after capture: who, when, why and which fields.' })
export class NearMissAmendment {
  @Field() at!: Date;
  @Field(() => Staff, { description: 'For ANALYST callers, a per-tenant pseudonym (stf_...)' }) by!: Staff;
  @Field({ description: 'Withheld ("[withheld]") from ANALYST callers' }) reason!: string;
  @Field(() => [String], { description: 'e.g. workflowStage, contributingFactorCodes, details' }) fields!: string[];
}
