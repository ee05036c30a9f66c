import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { recordAudit } from '../audit/audit-log';
import { authorize } from '../auth/role-matrix';
import { badUserInput, type FieldProblem } from '../common/errors';
import { validate } from '../common/validation';
import type { RequestContext } from '../server/context';
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

const changeSchema = z.object({
  sameDayTriageHours: z.number().int().min(1).max(24).optional(),
  standardTriageHours: z.number().int().min(1).max(72).optional(),
  retentionMonths: z.number().int().min(12).max(600).optional(),
});

export type TenantSettingsChange = { [Key in keyof TenantSettings]?: number | null };

/** Applies a partial change; the same-day window may not be longer than the standard one. */
export function nextTenantSettings(current: TenantSettings, change: Partial<TenantSettings>): { next: TenantSettings; problems: FieldProblem[] } {
  const next = { ...current, ...Object.fromEntries(Object.entries(change).filter(([, value]) => value !== undefined)) };
  const problems = next.sameDayTriageHours > next.standardTriageHours ? [{ path: 'sameDayTriageHours', message: 'may not be longer than standardTriageHours' }] : [];
  return { next, problems };
}

/** Changes the caller's organisation settings in one audited transaction (MANAGER, ADMIN). */
export async function updateTenantSettings(context: Pick<RequestContext, 'principal' | 'db'>, change: TenantSettingsChange): Promise<TenantSettings> {
  const { principal } = context;
  authorize(principal, 'settings.configure');
  const parsed = validate(changeSchema, Object.fromEntries(Object.entries(change).map(([key, value]) => [key, value ?? undefined])));
  return context.db.transaction(async (manager) => {
    const current = await readTenantSettings(manager, principal.tenantId);
    const { next, problems } = nextTenantSettings(current, parsed);
    if (problems.length) throw badUserInput(problems);
    await writeTenantSettings(manager, principal.tenantId, next, principal.staffId);
    await recordAudit(manager, { tenantId: principal.tenantId, actor: principal.staffId, action: 'tenant_settings.updated', detail: { before: current, after: next } });
    return next;
  });
}
