import { GraphQLJSON } from 'graphql-scalars';
import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../server/context';
import { applyRetention, erasePersonData, exportPersonData } from './person-data.service';

@Resolver()
export class PersonDataResolver {
  @Query(() => GraphQLJSON, {
    description: 'Everything held about one person (subject access request). Managers and admins only.',
  })
  personDataExport(
    @Arg('personId', () => ID) personId: string,
    @Ctx() context: RequestContext,
  ): Promise<Record<string, unknown>> {
    return context.mutate((tx, actor) => exportPersonData(tx, actor, { personId }));
  }

  @Mutation(() => Int, {
    description:
      'Erases free text about a person and unlinks them, keeping counts, statuses and the audit chain. Returns the near misses erased.',
  })
  erasePersonData(
    @Arg('personId', () => ID) personId: string,
    @Arg('reason', () => String) reason: string,
    @Ctx() context: RequestContext,
  ): Promise<number> {
    return context.mutate((tx, actor) => erasePersonData(tx, actor, { personId, reason }));
  }

  @Mutation(() => Int, {
    description:
      'Erases free text of near misses closed longer ago than tenantSettings.retentionMonths (at most 500 a run). Returns how many.',
  })
  applyRetention(@Ctx() context: RequestContext): Promise<number> {
    return context.mutate((tx, actor) => applyRetention(tx, actor));
  }
}
