import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { authorize } from '../auth/role-matrix';
import type { RequestContext } from '../server/context';
import { addContributingFactor, readTaxonomy, toFactorTypes } from './contributing-factor.service';
import { ContributingFactor } from './contributing-factor.type';

@Resolver(() => ContributingFactor)
export class ContributingFactorResolver {
  @Query(() => [ContributingFactor], {
    description:
      "Your organisation's contributing-factor taxonomy, every factor, groups before their factors (parent null for a group)",
  })
  async contributingFactors(@Ctx() context: RequestContext): Promise<ContributingFactor[]> {
    authorize(context.principal, 'categories.read');
    return toFactorTypes(await context.db.read((tx) => readTaxonomy(tx, context.principal.tenantId)));
  }

  @Mutation(() => ContributingFactor, {
    description:
      'Adds a contributing factor to your organisation’s taxonomy, under parentCode or as a new group (MANAGER, ADMIN). Its code is the parent’s code and the label in capitals.',
  })
  async addContributingFactor(
    @Arg('parentCode', () => ID, { nullable: true }) parentCode: string | null,
    @Arg('label', () => String) label: string,
    @Ctx() context: RequestContext,
  ): Promise<ContributingFactor> {
    return context.mutate((tx, actor) => addContributingFactor(tx, actor, { parentCode, label }));
  }
}
