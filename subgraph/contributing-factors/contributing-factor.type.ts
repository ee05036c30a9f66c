import { Field, ID, ObjectType } from 'type-graphql';

@ObjectType({
  description:
    'A contributing factor of the taxonomy (aligned with NHS LFPSE and AHRQ Common Formats groups, plus what your organisation added). Reports carry its code.',
})
export class ContributingFactor {
  @Field(() => ID, { description: 'e.g. COMMUNICATION.HANDOVER; OTHER for text that matched no factor' }) code!: string;
  @Field() label!: string;
  @Field(() => ContributingFactor, { nullable: true, description: 'The group it belongs to' })
  parent?: ContributingFactor;
  @Field(() => [ContributingFactor]) children!: ContributingFactor[];
}
