import { Field, ID, Int, ObjectType } from 'type-graphql';
import { NotificationMethod } from '../domain/graphql-enums';
import type { NotificationMethodValue } from '../domain/vocabulary';
import { Staff } from '../host-entities/host-entity.types';

@ObjectType({ description: 'Someone who must be told about a near miss, by when, and whether and how they were.' })
export class Notification {
  @Field(() => ID) id!: string;
  @Field({ description: 'Whom to tell, as the rules or triage named them (e.g. "on-call nurse")' }) recipient!: string;
  @Field({ description: "From when the service knew of it (detected, or occurred), by the recipient's window" })
  dueBy!: Date;
  @Field({ nullable: true }) notifiedAt?: Date;
  @Field(() => Staff, { nullable: true, description: 'For ANALYST callers, a pseudonym (stf_...)' })
  notifiedBy?: Staff;
  @Field(() => NotificationMethod, { nullable: true }) method?: NotificationMethodValue;
  @Field({ nullable: true, description: "e.g. a Care Act s42 referral or a regulator's notification number" })
  externalReference?: string;
  @Field({ description: 'Not recorded and past dueBy' }) overdue!: boolean;
  nearMissId!: string;
}

@ObjectType({
  description: 'How long a provider allows to notify one recipient (`*`: everyone it names no window for).',
})
export class NotificationWindow {
  @Field() recipient!: string;
  @Field(() => Int) hours!: number;
}
