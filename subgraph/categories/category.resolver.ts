import { Ctx, Query, Resolver } from 'type-graphql';
import { authorize } from '../auth/role-matrix';
import type { RequestContext } from '../server/context';
import { toCategoryType } from './category.mapper';
import { NearMissCategory } from './category.type';

@Resolver(() => NearMissCategory)
export class CategoryResolver {
  @Query(() => [NearMissCategory], { description: 'Every installed category, with the JSON Schema of its details for host forms.' })
  async categories(@Ctx() context: RequestContext): Promise<NearMissCategory[]> {
    authorize(context.principal, 'categories.read');
    const disabled = await context.db.read(async (manager) => {
      const rows: { category: string }[] = await manager.query(
        `SELECT category FROM tenant_category_setting WHERE tenant_id = $1 AND NOT enabled`,
        [context.principal.tenantId],
      );
      return new Set(rows.map((row) => row.category));
    });
    return context.services.registry.list().map((registered) => toCategoryType(registered, !disabled.has(registered.definition.key)));
  }
}
