import type { Transaction } from '../database/transaction';
import { TenantSettingsEntity } from './tenant-settings.entity';

export interface TenantSettings {
  sameDayTriageHours: number;
  standardTriageHours: number;
  /** Months after closure that free text is kept before retention erases it. */
  retentionMonths: number;
  /** Triage cannot complete until the report names the workflow stage that allowed it. */
  requireWorkflowStageForTriage: boolean;
}

const toSettings = (row: TenantSettingsEntity): TenantSettings => ({
  sameDayTriageHours: row.sameDayTriageHours,
  standardTriageHours: row.standardTriageHours,
  retentionMonths: row.retentionMonths,
  requireWorkflowStageForTriage: row.requireWorkflowStageForTriage,
});

const settingsColumns = {
  tenantId: true,
  sameDayTriageHours: true,
  standardTriageHours: true,
  retentionMonths: true,
  requireWorkflowStageForTriage: true,
} as const;

/** The provider's own settings (undefined: it has set none), optionally locked until the transaction ends. */
export async function loadTenantSettings(
  tx: Transaction,
  tenantId: string,
  options: { lock?: boolean } = {},
): Promise<TenantSettings | undefined> {
  const row = await tx.getRepository(TenantSettingsEntity).findOne({
    select: settingsColumns,
    where: { tenantId },
    ...(options.lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
  });
  return row ? toSettings(row) : undefined;
}

export async function saveTenantSettings(
  tx: Transaction,
  tenantId: string,
  settings: TenantSettings,
  updatedBy: string,
): Promise<void> {
  await tx
    .getRepository(TenantSettingsEntity)
    .upsert({ tenantId, ...settings, updatedBy, updatedAt: () => 'now()' }, { conflictPaths: ['tenantId'] });
}
