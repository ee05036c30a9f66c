import { GraphQLJSON } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';
import { PageInfo } from '../near-misses/near-miss.type';

@ObjectType({
  description:
    'Something that happened to a near miss, corrective action or risk review (a state change, escalation, reporter feedback...), as host apps and webhooks receive it.',
})
export class NearMissEvent {
  @Field(() => ID, { description: 'Also sent as x-near-miss-event-id: receivers de-duplicate with it' }) id!: string;
  @Field({
    description:
      'e.g. near_miss.reported, near_miss.triaged, reporter_feedback.sent, corrective_action.assigned, risk_review.opened',
  })
  type!: string;
  @Field(() => ID, { description: 'What it is about: a near miss, corrective action or risk review id (see type)' })
  aggregateId!: string;
  @Field(() => GraphQLJSON, { description: 'Ids, codes and references only; never free text from the report' })
  payload!: Record<string, unknown>;
  @Field() createdAt!: Date;
  // Feed position, encoded into the cursor.
  transactionId!: string;
}

@ObjectType()
export class NearMissEventEdge {
  @Field() cursor!: string;
  @Field(() => NearMissEvent) node!: NearMissEvent;
}

@ObjectType({
  description: 'A page of events, oldest first. Poll again with pageInfo.endCursor to receive what came after.',
})
export class NearMissEventConnection {
  @Field(() => [NearMissEventEdge]) edges!: NearMissEventEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
}
