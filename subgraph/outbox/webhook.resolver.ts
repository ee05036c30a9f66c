import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../server/context';
import { deactivateWebhook, listWebhooks, registerWebhook, webhookDeliveries } from './webhook.service';
import { RegisterWebhookPayload, WebhookDelivery, WebhookDeliveryStatus, WebhookSubscription } from './webhook.type';

@Resolver(() => WebhookSubscription)
export class WebhookResolver {
  @Query(() => [WebhookSubscription], { description: "Your organisation's webhooks (admins)." })
  webhooks(@Ctx() context: RequestContext): Promise<WebhookSubscription[]> {
    return listWebhooks(context.principal, context.db);
  }

  @Mutation(() => RegisterWebhookPayload, {
    description:
      "Sends your organisation's near-miss events to a URL (admins): at least once, in order per near miss (or action, review), retried with backoff. " +
      'Leave eventTypes out for every type. The signing secret is returned only here.',
  })
  registerWebhook(
    @Arg('url', () => String) url: string,
    @Ctx() context: RequestContext,
    @Arg('eventTypes', () => [String], { nullable: true }) eventTypes?: string[] | null,
  ): Promise<RegisterWebhookPayload> {
    return context.mutate((tx, actor) => registerWebhook(tx, actor, { url, eventTypes }));
  }

  @Mutation(() => WebhookSubscription, {
    description: 'Stops a webhook (admins); its pending deliveries become DEAD. nearMissEvents still has every event.',
  })
  deactivateWebhook(@Arg('id', () => ID) id: string, @Ctx() context: RequestContext): Promise<WebhookSubscription> {
    return context.mutate((tx, actor) => deactivateWebhook(tx, actor, { id }));
  }

  @FieldResolver(() => [WebhookDelivery], { description: 'Its most recent deliveries, newest first' })
  deliveries(
    @Root() webhook: WebhookSubscription,
    @Ctx() context: RequestContext,
    @Arg('status', () => WebhookDeliveryStatus, { nullable: true }) status?: WebhookDeliveryStatus,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first = 20,
  ): Promise<WebhookDelivery[]> {
    return context.db.read((tx) =>
      webhookDeliveries(tx, context.principal.tenantId, webhook.id, status ?? undefined, first),
    );
  }
}
