import { Arg, Ctx, ID, Int, Mutation, Resolver } from 'type-graphql';
import { notFound } from '../common/errors';
import { ActualHarm } from '../domain/graphql-enums';
import type { ActualHarmValue } from '../domain/vocabulary';
import { NearMiss } from '../near-misses/near-miss.type';
import type { RequestContext } from '../server/context';
import { reclassifyAsIncident } from './reclassification.service';

@Resolver()
export class ReclassificationResolver {
  @Mutation(() => NearMiss, {
    description:
      "The event reached the person after all: the near miss becomes an incident for the host's incident system (FHIR actuality = actual), with audit and outbox events. Once per near miss; a stale expectedVersion is CONFLICT.",
  })
  async reclassifyAsIncident(
    @Arg('id', () => ID) id: string,
    @Arg('expectedVersion', () => Int) expectedVersion: number,
    @Arg('harm', () => ActualHarm) harm: ActualHarmValue,
    @Arg('reason', () => String) reason: string,
    @Ctx() context: RequestContext,
  ): Promise<NearMiss> {
    const nearMiss = await context.mutate((tx, actor) =>
      reclassifyAsIncident(tx, actor, { id, expectedVersion, harm, reason }),
    );
    if (!nearMiss) throw notFound(`Near miss ${id} is not readable`);
    context.loaders.byId.prime(nearMiss.id, nearMiss);
    return nearMiss;
  }
}
