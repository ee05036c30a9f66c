import type { Transaction } from '../database/transaction';
import { TenantCategorySettingEntity } from './tenant-category-setting.entity';

/** Keys of the categories the tenant has turned off. */
export async function disabledCategories(tx: Transaction, tenantId: string): Promise<Set<string>> {
  const rows = await tx
    .getRepository(TenantCategorySettingEntity)
    .find({ select: { category: true }, where: { tenantId, enabled: false } });
  return new Set(rows.map((row) => row.category));
}

/** Whether the tenant has the category on (undefined: never set), locking its setting until the transaction ends. */
export async function lockCategoryEnabled(
  tx: Transaction,
  tenantId: string,
  category: string,
): Promise<boolean | undefined> {
  const row = await tx.getRepository(TenantCategorySettingEntity).findOne({
    select: { enabled: true },
    where: { tenantId, category },
    lock: { mode: 'pessimistic_write' },
  });
  return row?.enabled;
}

export async function saveCategoryEnabled(
  tx: Transaction,
  tenantId: string,
  category: string,
  enabled: boolean,
): Promise<void> {
  await tx
    .getRepository(TenantCategorySettingEntity)
    .upsert({ tenantId, category, enabled, updatedAt: () => 'now()' }, ['tenantId', 'category']);
}
