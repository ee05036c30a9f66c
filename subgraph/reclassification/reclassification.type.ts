import { Field, ObjectType } from 'type-graphql';
import { ActualHarm } from '../domain/graphql-enums';
import type { ActualHarmValue } from '../domain/vocabulary';
import { Staff } from '../host-entities/host-entity.types';

@ObjectType({
  description:
    'The near miss reached the person after all: it is an incident for the host\'s incident system (FHIR actuality "actual").',
})
export class Reclassification {
  @Field() at!: Date;
  @Field(() => Staff, { description: 'For ANALYST callers, a per-tenant pseudonym (stf_...)' }) by!: Staff;
  @Field(() => ActualHarm) harm!: ActualHarmValue;
  @Field({ description: 'Why it is an incident ("[withheld]" for ANALYST callers)' }) reason!: string;
}
