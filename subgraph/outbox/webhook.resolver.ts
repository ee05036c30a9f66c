import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../server/context';
import { deactivateWebhook, listWebhooks, loadDeliveries, registerWebhook } from './webhook.service';
import { RegisterWebhookPayload, WebhookDelivery, WebhookDeliveryStatus, WebhookSubscription } from './webhook.type';

@Resolver(() => WebhookSubscription)
export class WebhookResolver {
  @Query(() => [WebhookSubscription], { description: "Your organisation's webhooks (admins)." })
  webhooks(@Ctx() context: RequestContext): Promise<WebhookSubscription[]> {
    return listWebhooks(context.principal, context.db);
  }

  @Mutation(() => RegisterWebhookPayload, {
    description:
      'Sends your organisation\'s near-miss events to a URL (admins): at least once, in order per near miss (or action, review), retried with backoff. ' +
      'Leave eventTypes out for every type. The signing secret is returned only here.',
  })
  registerWebhook(
    @Arg('url', () => String) url: string,
    @Ctx() context: RequestContext,
    @Arg('eventTypes', () => [String], { nullable: true }) eventTypes?: string[] | null,
  ): Promise<RegisterWebhookPayload> {
    return registerWebhook(context.services.config.webhooks, context.principal, context.db, url, eventTypes);
  }

  @Mutation(() => WebhookSubscription, { description: 'Stops a webhook (admins); its pending deliveries become DEAD. nearMissEvents still has every event.' })
  deactivateWebhook(@Arg('id', () => ID) id: string, @Ctx() context: RequestContext): Promise<WebhookSubscription> {
    return deactivateWebhook(context.principal, context.db, id);
  }

  @FieldResolver(() => [WebhookDelivery], { description: 'Its most recent deliveries, newest first' })
  deliveries(
    @Root() webhook: WebhookSubscription,
    @Ctx() context: RequestContext,
    @Arg('status', () => WebhookDeliveryStatus, { nullable: true }) status?: WebhookDeliveryStatus,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first = 20,
  ): Promise<WebhookDelivery[]> {
    return context.db.read((manager) => loadDeliveries(manager, context.principal.tenantId, webhook.id, status ?? undefined, first));
  }
}
