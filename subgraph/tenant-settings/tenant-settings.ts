import type { EntityManager } from 'typeorm';
import { triageWindows } from '../triage/triage-due';

export interface TenantSettings {
  sameDayTriageHours: number;
  standardTriageHours: number;
  /** Months after closure that free text is kept before retention erases it. */
  retentionMonths: number;
}

export const defaultTenantSettings: TenantSettings = { sameDayTriageHours: triageWindows.sameDayHours, standardTriageHours: triageWindows.standardHours, retentionMonths: 96 };

/** A provider's settings, or the defaults when it has set none. */
export async function readTenantSettings(manager: EntityManager, tenantId: string): Promise<TenantSettings> {
  const [row]: { same_day_triage_hours: number; standard_triage_hours: number; retention_months: number }[] = await manager.query(
    `SELECT same_day_triage_hours, standard_triage_hours, retention_months FROM tenant_settings WHERE tenant_id = $1`,
    [tenantId],
  );
  return row
    ? { sameDayTriageHours: row.same_day_triage_hours, standardTriageHours: row.standard_triage_hours, retentionMonths: row.retention_months }
    : defaultTenantSettings;
}

export async function writeTenantSettings(manager: EntityManager, tenantId: string, settings: TenantSettings, actor: string): Promise<void> {
  await manager.query(
    `INSERT INTO tenant_settings (tenant_id, same_day_triage_hours, standard_triage_hours, retention_months, updated_by) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (tenant_id) DO UPDATE SET same_day_triage_hours = $2, standard_triage_hours = $3, retention_months = $4, updated_by = $5, updated_at = now()`,
    [tenantId, settings.sameDayTriageHours, settings.standardTriageHours, settings.retentionMonths, actor],
  );
}

export const windowsOf = (settings: TenantSettings) => ({ sameDayHours: settings.sameDayTriageHours, standardHours: settings.standardTriageHours });
