import { Arg, Ctx, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import { authorize } from '../auth/role-matrix';
import { NearMiss } from '../near-misses/near-miss.type';
import { restrictedCategoriesOf } from '../near-misses/read-scope';
import type { RequestContext } from '../server/context';
import { encodeEventCursor, eventPageRequest } from './near-miss-event-cursor';
import { loadEventPage } from './near-miss-event.repository';
import { NearMissEvent, NearMissEventConnection } from './near-miss-event.type';

@Resolver(() => NearMissEvent)
export class NearMissEventResolver {
  @Query(() => NearMissEventConnection, {
    description:
      "Your organisation's near-miss events, oldest first, for host apps that pull instead of receiving webhooks. " +
      'Keep pageInfo.endCursor and pass it as `after` next time: no event is skipped, even one committed late.',
  })
  async nearMissEvents(
    @Ctx() context: RequestContext,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first = 50,
  ): Promise<NearMissEventConnection> {
    authorize(context.principal, 'events.read');
    const request = eventPageRequest(first ?? 50, after ?? undefined);
    const scope = {
      tenantId: context.principal.tenantId,
      serviceIds: context.principal.services,
      restricted: restrictedCategoriesOf(context.principal, context.services.registry),
    };
    const page = await context.db.read((tx) => loadEventPage(tx, scope, request.after, request.first));
    const last = page.events.at(-1);
    return {
      edges: page.events.map((event) => ({ cursor: encodeEventCursor(event), node: event })),
      // An empty page keeps the reader where it was.
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: last ? encodeEventCursor(last) : (after ?? null) },
    };
  }

  @FieldResolver(() => NearMiss, {
    nullable: true,
    description: 'The near miss, when the event is about one and you may read it',
  })
  nearMiss(@Root() event: NearMissEvent, @Ctx() context: RequestContext): Promise<NearMiss | null> {
    return context.loaders.byId.load(event.aggregateId);
  }
}
