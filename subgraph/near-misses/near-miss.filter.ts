import type { ReadScope } from './read-scope';
import { Field, ID, InputType } from 'type-graphql';
import { NearMissStatus, WorkflowStage } from '../domain/graphql-enums';
import type { NearMissStatusValue, WorkflowStageValue } from '../domain/vocabulary';

@InputType({ description: 'Narrows a list of near misses; every given condition must hold.' })
export class NearMissFilter {
  @Field(() => [ID], { nullable: true }) serviceIds?: string[];
  @Field(() => [ID], { nullable: true }) categories?: string[];
  @Field(() => [NearMissStatus], { nullable: true }) statuses?: NearMissStatusValue[];
  @Field({ nullable: true }) occurredFrom?: Date;
  @Field({ nullable: true }) occurredTo?: Date;
  @Field(() => ID, { nullable: true }) personId?: string;
  @Field(() => [WorkflowStage], { nullable: true }) workflowStages?: WorkflowStageValue[];
}

/** A host-entity link a list can hang from, e.g. `Person.nearMisses`. */
export type Anchor = { column: 'person_id' | 'reported_by'; value: string };

/** Everything a connection needs; resolved lazily so unused parts cost nothing. */
export interface ConnectionRequest {
  scope: ReadScope;
  filter: NearMissFilter;
  first: number;
  after?: string;
  anchor?: Anchor;
}
