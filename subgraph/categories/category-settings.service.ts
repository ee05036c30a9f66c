import { recordAudit } from '../audit/audit-log';
import { authorize } from '../auth/role-matrix';
import { badUserInput } from '../common/errors';
import type { Transaction } from '../database/transaction';
import type { Actor } from '../server/actor';
import type { RegisteredCategory } from './category-registry';
import { lockCategoryEnabled, saveCategoryEnabled } from './tenant-category-setting.repository';

export interface SetCategoryEnabledInput {
  key: string;
  enabled: boolean;
}

/**
 * Turns a category on or off for the caller's organisation, with an audit
 * event when that changes anything. Off refuses new reports of it; existing
 * reports stay readable.
 */
export async function setCategoryEnabled(
  tx: Transaction,
  actor: Actor,
  input: SetCategoryEnabledInput,
): Promise<RegisteredCategory> {
  const { principal } = actor;
  authorize(principal, 'categories.configure');
  const registered = actor.services.registry.get(input.key.trim());
  if (!registered)
    throw badUserInput([
      { path: 'key', message: `unknown category "${input.key.slice(0, 64)}"; see the categories query` },
    ]);
  const category = registered.definition.key;
  const wasEnabled = (await lockCategoryEnabled(tx, principal.tenantId, category)) ?? true;
  await saveCategoryEnabled(tx, principal.tenantId, category, input.enabled);
  if (wasEnabled !== input.enabled) {
    await recordAudit(tx, {
      tenantId: principal.tenantId,
      actor: principal.staffId,
      action: input.enabled ? 'category.enabled' : 'category.disabled',
      detail: { category, version: registered.definition.version },
    });
  }
  return registered;
}
