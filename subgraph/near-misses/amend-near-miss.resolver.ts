import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../server/context';
import { amendNearMiss } from './amend-near-miss.service';
import { AmendNearMissInput, NearMissAmendment } from './amend-near-miss.type';
import { fieldProtection, protectReference, protectText } from './field-protection';
import { NearMiss } from './near-miss.type';

@Resolver(() => NearMiss)
export class NearMissAmendmentResolver {
  @Mutation(() => NearMiss, {
    description:
      'Corrects a report (category and details, workflow stage, contributing factors, potential harm) with a reason. The rules, similarity, repeat trigger and gates see it as if the report had said so from the start; the amendment is kept and shown on the timeline.',
  })
  async amendNearMiss(
    @Arg('input', () => AmendNearMissInput) input: AmendNearMissInput,
    @Ctx() context: RequestContext,
  ): Promise<NearMiss> {
    return context.mutate((tx, actor) => amendNearMiss(tx, actor, input));
  }

  @FieldResolver(() => [NearMissAmendment], { description: 'Corrections of the report after capture, oldest first' })
  async amendments(@Root() nearMiss: NearMiss, @Ctx() context: RequestContext): Promise<NearMissAmendment[]> {
    const protection = fieldProtection(context);
    return (await context.lifecycle.amendments.load(nearMiss.id)).map((amendment) => ({
      at: amendment.at,
      by: protectReference(protection, 'staff', amendment.by)!,
      reason: protectText(protection, amendment.reason),
      fields: amendment.fields,
    }));
  }
}
