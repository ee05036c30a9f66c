import { Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../server/context';
import { encodeCursor } from './near-miss.repository';
import { NearMissConnection, NearMissEdge, PageInfo } from './near-miss.type';

@Resolver(() => NearMissConnection)
export class NearMissConnectionResolver {
  @FieldResolver(() => [NearMissEdge])
  async edges(@Root() connection: NearMissConnection, @Ctx() context: RequestContext): Promise<NearMissEdge[]> {
    const page = await context.loaders.pages.load(connection.request);
    return page.nodes.map((node) => ({ cursor: encodeCursor(node), node }));
  }

  @FieldResolver(() => PageInfo)
  async pageInfo(@Root() connection: NearMissConnection, @Ctx() context: RequestContext): Promise<PageInfo> {
    const page = await context.loaders.pages.load(connection.request);
    const last = page.nodes.at(-1);
    return { hasNextPage: page.hasNextPage, endCursor: last ? encodeCursor(last) : null };
  }

  @FieldResolver(() => Int, { description: 'How many near misses match, across all pages' })
  async totalCount(@Root() connection: NearMissConnection, @Ctx() context: RequestContext): Promise<number> {
    return context.loaders.counts.load(connection.request);
  }
}
