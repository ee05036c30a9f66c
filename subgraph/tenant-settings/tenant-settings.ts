import { z } from 'zod';
import { recordAudit } from '../audit/audit-log';
import { authorize } from '../auth/role-matrix';
import { badUserInput, type FieldProblem } from '../common/errors';
import { validate } from '../common/validation';
import type { Transaction } from '../database/transaction';
import type { Actor } from '../server/actor';
import { triageWindows } from '../triage/triage-due';
import { loadTenantSettings, saveTenantSettings, type TenantSettings } from './tenant-settings.repository';

export type { TenantSettings } from './tenant-settings.repository';

export const defaultTenantSettings: TenantSettings = {
  sameDayTriageHours: triageWindows.sameDayHours,
  standardTriageHours: triageWindows.standardHours,
  retentionMonths: 96,
  requireWorkflowStageForTriage: true,
};

/** A provider's settings, or the defaults when it has set none. */
export async function readTenantSettings(tx: Transaction, tenantId: string): Promise<TenantSettings> {
  return (await loadTenantSettings(tx, tenantId)) ?? defaultTenantSettings;
}

export const windowsOf = (settings: TenantSettings) => ({
  sameDayHours: settings.sameDayTriageHours,
  standardHours: settings.standardTriageHours,
});

const changeSchema = z.object({
  sameDayTriageHours: z.number().int().min(1).max(24).optional(),
  standardTriageHours: z.number().int().min(1).max(72).optional(),
  retentionMonths: z.number().int().min(12).max(600).optional(),
  requireWorkflowStageForTriage: z.boolean().optional(),
});

export type TenantSettingsChange = { [Key in keyof TenantSettings]?: TenantSettings[Key] | null };

/** Applies a partial change; the same-day window may not be longer than the standard one. */
export function nextTenantSettings(
  current: TenantSettings,
  change: Partial<TenantSettings>,
): { next: TenantSettings; problems: FieldProblem[] } {
  const next = { ...current, ...Object.fromEntries(Object.entries(change).filter(([, value]) => value !== undefined)) };
  const problems =
    next.sameDayTriageHours > next.standardTriageHours
      ? [{ path: 'sameDayTriageHours', message: 'may not be longer than standardTriageHours' }]
      : [];
  return { next, problems };
}

/** Changes the caller's organisation settings, audited (MANAGER, ADMIN). */
export async function updateTenantSettings(
  tx: Transaction,
  actor: Actor,
  change: TenantSettingsChange,
): Promise<TenantSettings> {
  const { principal } = actor;
  authorize(principal, 'settings.configure');
  const parsed = validate(
    changeSchema,
    Object.fromEntries(Object.entries(change).map(([key, value]) => [key, value ?? undefined])),
  );
  const current = (await loadTenantSettings(tx, principal.tenantId, { lock: true })) ?? defaultTenantSettings;
  const { next, problems } = nextTenantSettings(current, parsed);
  if (problems.length) throw badUserInput(problems);
  await saveTenantSettings(tx, principal.tenantId, next, principal.staffId);
  await recordAudit(tx, {
    tenantId: principal.tenantId,
    actor: principal.staffId,
    action: 'tenant_settings.updated',
    detail: { before: current, after: next },
  });
  return next;
}
