import type { EntityManager } from 'typeorm';
import { recordAudit } from '../audit/audit-log';
import { authorize } from '../auth/role-matrix';
import type { Principal } from '../auth/principal';
import { badUserInput } from '../common/errors';
import type { TenantDatabase } from '../database/tenant-scope';
import type { CategoryRegistry, RegisteredCategory } from './category-registry';

/** Keys of the categories the tenant has turned off. */
export async function disabledCategories(manager: EntityManager, tenantId: string): Promise<Set<string>> {
  const rows: { category: string }[] = await manager.query(
    `SELECT category FROM tenant_category_setting WHERE tenant_id = $1 AND NOT enabled`,
    [tenantId],
  );
  return new Set(rows.map((row) => row.category));
}

/**
 * Turns a category on or off for the caller's organisation, with an audit
 * event, in one transaction. Off refuses new reports of it; existing reports
 * stay readable.
 */
export async function setCategoryEnabled(
  registry: CategoryRegistry,
  principal: Principal,
  db: TenantDatabase,
  key: string,
  enabled: boolean,
): Promise<RegisteredCategory> {
  authorize(principal, 'categories.configure');
  const registered = registry.get(key.trim());
  if (!registered) throw badUserInput([{ path: 'key', message: `unknown category "${key.slice(0, 64)}"; see the categories query` }]);
  const category = registered.definition.key;
  await db.transaction(async (manager) => {
    const [previous]: { enabled: boolean }[] = await manager.query(
      `SELECT enabled FROM tenant_category_setting WHERE tenant_id = $1 AND category = $2 FOR UPDATE`,
      [principal.tenantId, category],
    );
    const wasEnabled = previous?.enabled ?? true;
    await manager.query(
      `INSERT INTO tenant_category_setting (tenant_id, category, enabled) VALUES ($1, $2, $3)
       ON CONFLICT (tenant_id, category) DO UPDATE SET enabled = EXCLUDED.enabled, updated_at = now()`,
      [principal.tenantId, category, enabled],
    );
    if (wasEnabled !== enabled) {
      await recordAudit(manager, {
        tenantId: principal.tenantId,
        actor: principal.staffId,
        action: enabled ? 'category.enabled' : 'category.disabled',
        detail: { category, version: registered.definition.version },
      });
    }
  });
  return registered;
}
