import { Field, ID, Int, ObjectType } from 'type-graphql';
import { GraphQLJSON } from 'graphql-scalars';
import { TriageRoute, VerificationMethod, WorkflowStage } from '../domain/graphql-enums';
import type { TriageRouteValue, VerificationMethodValue, WorkflowStageValue } from '../domain/vocabulary';

@ObjectType({ description: 'A "cannot proceed without" item a category declares.' })
export class CategoryGate {
  @Field(() => ID) key!: string;
  @Field() label!: string;
}

@ObjectType({ description: 'A suggested verification series for actions of this category.' })
export class VerificationTemplate {
  @Field(() => VerificationMethod) method!: VerificationMethodValue;
  @Field() description!: string;
  @Field(() => Int) everyDays!: number;
  @Field(() => Int) count!: number;
}

@ObjectType({ description: 'A near-miss category, contributed by a plugin.' })
export class NearMissCategory {
  @Field(() => ID, { description: 'e.g. "medication"; plugins add more' }) key!: string;
  @Field() label!: string;
  @Field() description!: string;
  @Field(() => GraphQLJSON, { description: 'JSON Schema of `details`, for host forms to render' })
  fieldsSchema!: Record<string, unknown>;
  @Field(() => Int, { description: 'Version of the details schema new reports are validated against' })
  version!: number;
  @Field(() => TriageRoute, { description: 'Route suggested when no rule fires' }) defaultRoute!: TriageRouteValue;
  @Field(() => [CategoryGate], { description: 'Every gate item the category may require' }) gates!: CategoryGate[];
  @Field(() => [VerificationTemplate]) verificationTemplates!: VerificationTemplate[];
  @Field(() => [String], { description: 'Contributing factors to offer on the form' }) contributingFactors!: string[];
  @Field(() => [WorkflowStage], { description: 'Workflow stages this category usually exposes' })
  workflowStages!: WorkflowStageValue[];
  @Field({ description: 'HL7 FHIR AdverseEvent category code' }) fhirAdverseEventCategory!: string;
  // Resolved by CategoryResolver.enabled when not known already.
  @Field({ description: "False when the caller's organisation has turned this category off" }) enabled?: boolean;
}
