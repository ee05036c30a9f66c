import { z } from 'zod';
import { recordAudit } from '../audit/audit-log';
import { authorize } from '../auth/role-matrix';
import { badUserInput, conflict, notFound } from '../common/errors';
import { text, uuid, validate } from '../common/validation';
import type { Transaction } from '../database/transaction';
import { notificationMethods, type NotificationMethodValue } from '../domain/vocabulary';
import { lockForUpdate } from '../near-misses/near-miss.repository';
import { changeScopeOf } from '../near-misses/read-scope';
import { enqueueEvent } from '../outbox/outbox';
import type { Actor } from '../server/actor';
import { notificationDueAt, reconcileNotifications, recipientKey } from './notification-due';
import {
  deleteNotifications,
  insertNotifications,
  loadNotificationWindows,
  loadNotifications,
  lockNotification,
  markNotified,
  maxNotificationWindows,
  saveNotificationWindow,
  type NotificationRecord,
} from './notification.repository';

/** What the notifications of a near miss are planned from. */
export interface NotificationPlan {
  tenantId: string;
  nearMissId: string;
  serviceId: string;
  /** When the service became aware: detected, or else occurred. */
  awareAt: Date;
  sameDay: boolean;
  sameDayHours: number;
  /** Who must be told: the rules' suggestion at report, triage's decision after. */
  recipients: readonly string[];
}

/**
 * Brings a near miss's notification records in line with who must be told,
 * in the caller's transaction (the near miss is locked or new): adds records
 * for new recipients, each due by its window, and drops the ones not yet
 * recorded that are no longer on the list. Returns what changed.
 */
export async function planNotifications(
  tx: Transaction,
  plan: NotificationPlan,
  options: { newNearMiss?: boolean } = {},
): Promise<{ added: string[]; dropped: number }> {
  const existing = options.newNearMiss
    ? []
    : ((await loadNotifications(tx, plan.tenantId, [plan.nearMissId]))[0] ?? []);
  const { add, drop } = reconcileNotifications(existing, plan.recipients);
  if (add.length) {
    const windows = await loadNotificationWindows(tx, plan.tenantId);
    await insertNotifications(
      tx,
      add.map((recipient) => ({
        tenantId: plan.tenantId,
        nearMissId: plan.nearMissId,
        serviceId: plan.serviceId,
        recipient,
        dueBy: notificationDueAt(
          plan.awareAt,
          recipient,
          { sameDay: plan.sameDay, sameDayHours: plan.sameDayHours },
          windows,
        ),
      })),
    );
  }
  await deleteNotifications(tx, plan.tenantId, drop);
  return { added: add, dropped: drop.length };
}

export interface RecordNotificationRequest {
  id: string;
  method: NotificationMethodValue;
  notifiedAt: Date;
  externalReference?: string | null;
}

const clockSkewMs = 5 * 60 * 1000;

/** Records that a notification was made: when, by whom, how, and any external reference. Once. */
export async function recordNotification(
  tx: Transaction,
  { principal, services }: Actor,
  request: RecordNotificationRequest,
): Promise<NotificationRecord> {
  authorize(principal, 'notifications.record');
  const now = services.now?.() ?? new Date();
  const input = validate(
    z.object({
      id: uuid('is not a notification id'),
      method: z.enum(notificationMethods),
      notifiedAt: z
        .date('must be a date-time')
        .refine((at) => at.getTime() <= now.getTime() + clockSkewMs, 'may not be in the future'),
      externalReference: text(200).optional(),
    }),
    { ...request, externalReference: request.externalReference ?? undefined },
  );
  const found = await lockNotification(tx, principal.tenantId, input.id);
  // The near miss decides who may see it (services, restricted categories): locked first, as every change does.
  const nearMiss = found && (await lockForUpdate(tx, changeScopeOf(principal, services.registry), found.nearMissId));
  if (!found || !nearMiss) throw notFound(`Notification ${input.id} does not exist or is not in your services`);
  if (found.notifiedAt) {
    throw conflict('This notification is already recorded', { notifiedAt: found.notifiedAt.toISOString() });
  }
  const awareAt = nearMiss.detectedAt ?? nearMiss.occurredAt;
  if (input.notifiedAt.getTime() < awareAt.getTime()) {
    throw badUserInput([{ path: 'notifiedAt', message: 'may not be before the near miss was known' }]);
  }
  const record = {
    at: input.notifiedAt,
    by: principal.staffId,
    method: input.method,
    externalReference: input.externalReference ?? null,
  };
  await markNotified(tx, { id: found.id, tenantId: principal.tenantId }, record);
  const late = input.notifiedAt.getTime() > found.dueBy.getTime();
  await recordAudit(tx, {
    tenantId: principal.tenantId,
    nearMissId: found.nearMissId,
    actor: principal.staffId,
    action: 'notification.recorded',
    detail: { notificationId: found.id, recipient: found.recipient, method: input.method, late },
  });
  await enqueueEvent(tx, {
    tenantId: principal.tenantId,
    type: 'notification.recorded',
    aggregateId: found.nearMissId,
    payload: { notificationId: found.id, reference: nearMiss.reference, method: input.method, late },
  });
  return {
    ...found,
    notifiedAt: record.at,
    notifiedBy: record.by,
    method: record.method,
    externalReference: record.externalReference,
  };
}

export interface NotificationWindowRequest {
  recipient: string;
  hours: number;
}

/** Sets how long the provider allows to notify one recipient (`*`: everyone it names no window for). */
export async function setNotificationWindow(
  tx: Transaction,
  { principal }: Actor,
  request: NotificationWindowRequest,
): Promise<{ recipient: string; hours: number }> {
  authorize(principal, 'settings.configure');
  const input = validate(
    z.object({
      recipient: text(100),
      hours: z.number().int().min(1, 'must be at least 1').max(720, 'must be at most 720'),
    }),
    request,
  );
  const recipient = input.recipient.trim() === '*' ? '*' : recipientKey(input.recipient);
  const windows = await loadNotificationWindows(tx, principal.tenantId);
  if (!windows.has(recipient) && windows.size >= maxNotificationWindows) {
    throw badUserInput([
      { path: 'recipient', message: `your organisation has ${maxNotificationWindows} windows, the most it may set` },
    ]);
  }
  await saveNotificationWindow(tx, {
    tenantId: principal.tenantId,
    recipient,
    hours: input.hours,
    updatedBy: principal.staffId,
  });
  await recordAudit(tx, {
    tenantId: principal.tenantId,
    actor: principal.staffId,
    action: 'notification_window.set',
    detail: { recipient, hours: input.hours },
  });
  return { recipient, hours: input.hours };
}
