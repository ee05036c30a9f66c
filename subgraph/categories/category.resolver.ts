import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { authorize } from '../auth/role-matrix';
import type { RequestContext } from '../server/context';
import { setCategoryEnabled } from './category-settings.service';
import { toCategoryType } from './category.mapper';
import { NearMissCategory } from './category.type';

@Resolver(() => NearMissCategory)
export class CategoryResolver {
  @Query(() => [NearMissCategory], {
    description: 'Every installed category, with the JSON Schema of its details for host forms.',
  })
  async categories(@Ctx() context: RequestContext): Promise<NearMissCategory[]> {
    authorize(context.principal, 'categories.read');
    const disabled = await context.loaders.disabledCategories();
    return context.services.registry
      .list()
      .map((registered) => toCategoryType(registered, !disabled.has(registered.definition.key)));
  }

  @Mutation(() => NearMissCategory, {
    description:
      'Turns a category on or off for your organisation (MANAGER, ADMIN). Off refuses new reports of it; existing reports stay readable.',
  })
  async setCategoryEnabled(
    @Arg('key', () => ID) key: string,
    @Arg('enabled', () => Boolean) enabled: boolean,
    @Ctx() context: RequestContext,
  ): Promise<NearMissCategory> {
    const registered = await context.mutate((tx, actor) => setCategoryEnabled(tx, actor, { key, enabled }));
    return toCategoryType(registered, enabled);
  }

  /** Read from the organisation's settings (once per request) only when a client selects it and it is not known already. */
  @FieldResolver(() => Boolean)
  async enabled(@Root() category: NearMissCategory, @Ctx() context: RequestContext): Promise<boolean> {
    return category.enabled ?? !(await context.loaders.disabledCategories()).has(category.key);
  }
}
