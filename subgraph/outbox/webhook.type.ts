import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Staff } from '../host-entities/host-entity.types';

export enum WebhookDeliveryStatus {
  PENDING = 'PENDING',
  DELIVERED = 'DELIVERED',
  DEAD = 'DEAD',
}

registerEnumType(WebhookDeliveryStatus, {
  name: 'WebhookDeliveryStatus',
  description:
    'PENDING: not yet delivered (retried with backoff). DELIVERED: the receiver answered 2xx. DEAD: given up after the maximum attempts, or the webhook was deactivated.',
});

@ObjectType({
  description:
    "A receiver of the tenant's near-miss events: POSTed JSON, signed with x-near-miss-signature: sha256=<hex HMAC-SHA256 of the body>.",
})
export class WebhookSubscription {
  @Field(() => ID) id!: string;
  @Field() url!: string;
  @Field(() => [String], { nullable: true, description: 'Event types it receives; null means every type' })
  eventTypes!: string[] | null;
  @Field() active!: boolean;
  @Field() createdAt!: Date;
  @Field(() => Staff) createdBy!: Staff;
  @Field({ nullable: true }) deactivatedAt?: Date;
}

@ObjectType({ description: 'One event on its way to one webhook.' })
export class WebhookDelivery {
  @Field(() => ID) id!: string;
  @Field(() => ID, { description: 'The event id, as in nearMissEvents and the x-near-miss-event-id header' })
  eventId!: string;
  @Field() eventType!: string;
  @Field(() => ID, { description: 'The near miss, corrective action or risk review it is about' }) aggregateId!: string;
  @Field(() => WebhookDeliveryStatus) status!: WebhookDeliveryStatus;
  @Field(() => Int) attempts!: number;
  @Field({ description: 'When the next attempt is due (PENDING)' }) nextAttemptAt!: Date;
  @Field({ nullable: true }) lastAttemptAt?: Date;
  @Field(() => Int, { nullable: true }) lastStatusCode?: number;
  @Field({ nullable: true, description: 'Why the last attempt failed (HTTP status or network error)' })
  lastError?: string;
  @Field({ nullable: true }) deliveredAt?: Date;
}

@ObjectType()
export class RegisterWebhookPayload {
  @Field(() => WebhookSubscription) webhook!: WebhookSubscription;
  @Field({ description: 'The HMAC signing secret. Shown only now: store it with the receiver.' })
  signingSecret!: string;
}
