import type { Transaction } from '../database/transaction';
import type { NotificationMethodValue } from '../domain/vocabulary';
import { conditions, Parameters } from '../near-misses/near-miss.repository';
import type { ReadScope } from '../near-misses/read-scope';
import { NotificationEntity, NotificationWindowEntity } from './notification.entity';
import type { NotificationState, NotificationWindows } from './notification-due';

/** A notification record as the API shows it. */
export interface NotificationRecord extends NotificationState {
  nearMissId: string;
  serviceId: string;
  dueBy: Date;
  notifiedBy: string | null;
  method: NotificationMethodValue | null;
  externalReference: string | null;
}

const fields = {
  id: true,
  nearMissId: true,
  serviceId: true,
  recipient: true,
  dueBy: true,
  notifiedAt: true,
  notifiedBy: true,
  method: true,
  externalReference: true,
} as const;

const toRecord = (row: NotificationEntity): NotificationRecord => ({
  id: row.id,
  nearMissId: row.nearMissId,
  serviceId: row.serviceId,
  recipient: row.recipient,
  dueBy: row.dueBy,
  notifiedAt: row.notifiedAt,
  notifiedBy: row.notifiedBy,
  method: row.method as NotificationMethodValue | null,
  externalReference: row.externalReference,
});

/** The most notifications a near miss lists (triage names at most 20 recipients; reopened triage may add some). */
export const maxNotificationsPerNearMiss = 50;

/** The notifications of several near misses, by due time: one statement. */
export async function loadNotifications(
  tx: Transaction,
  tenantId: string,
  nearMissIds: readonly string[],
): Promise<NotificationRecord[][]> {
  if (!nearMissIds.length) return [];
  const rows = await tx
    .getRepository(NotificationEntity)
    .createQueryBuilder('o')
    .select(Object.keys(fields).map((field) => `o.${field}`))
    .where('o.tenantId = :tenantId AND o.nearMissId IN (:...nearMissIds)', { tenantId, nearMissIds })
    .orderBy('o.dueBy', 'ASC')
    .addOrderBy('o.id', 'ASC')
    .getMany();
  return nearMissIds.map((id) =>
    rows
      .filter((row) => row.nearMissId === id)
      .slice(0, maxNotificationsPerNearMiss)
      .map(toRecord),
  );
}

export interface NewNotification {
  tenantId: string;
  nearMissId: string;
  serviceId: string;
  recipient: string;
  dueBy: Date;
}

export async function insertNotifications(tx: Transaction, notifications: readonly NewNotification[]): Promise<void> {
  if (notifications.length) await tx.getRepository(NotificationEntity).insert([...notifications]);
}

/** Drops records triage took off the list (never recorded ones: the caller passes only those). */
export async function deleteNotifications(tx: Transaction, tenantId: string, ids: readonly string[]): Promise<void> {
  if (ids.length)
    await tx
      .getRepository(NotificationEntity)
      .createQueryBuilder()
      .delete()
      .where('tenant_id = :tenantId AND id IN (:...ids) AND notified_at IS NULL', { tenantId, ids })
      .execute();
}

/** One notification, locked for the rest of the transaction. */
export async function lockNotification(
  tx: Transaction,
  tenantId: string,
  id: string,
): Promise<NotificationRecord | undefined> {
  const row = await tx
    .getRepository(NotificationEntity)
    .findOne({ select: fields, where: { tenantId, id }, lock: { mode: 'pessimistic_write' } });
  return row ? toRecord(row) : undefined;
}

export async function markNotified(
  tx: Transaction,
  notification: { id: string; tenantId: string },
  record: { at: Date; by: string; method: NotificationMethodValue; externalReference: string | null },
): Promise<void> {
  await tx.getRepository(NotificationEntity).update(
    { tenantId: notification.tenantId, id: notification.id },
    {
      notifiedAt: record.at,
      notifiedBy: record.by,
      method: record.method,
      externalReference: record.externalReference,
    },
  );
}

export const maxOverdueNotifications = 500;

/** Notifications not recorded and past due, of the near misses the caller may read, oldest due first. */
export async function loadOverdueNotifications(
  tx: Transaction,
  scope: ReadScope,
  serviceIds: string[] | undefined,
): Promise<NotificationRecord[]> {
  const parameters = new Parameters();
  // Hand-written: the near-miss read scope (services, reporter, restricted categories) is SQL on alias n.
  const where = [...conditions(scope, { serviceIds }, parameters), 'o.notified_at IS NULL', 'o.due_by < now()'];
  const rows: {
    id: string;
    near_miss_id: string;
    service_id: string;
    recipient: string;
    due_by: Date;
  }[] = await tx.query(
    `SELECT o.id, o.near_miss_id, o.service_id, o.recipient, o.due_by
     FROM notification o JOIN near_miss n ON n.tenant_id = o.tenant_id AND n.id = o.near_miss_id
     WHERE ${where.join(' AND ')} ORDER BY o.due_by, o.id LIMIT ${maxOverdueNotifications}`,
    parameters.values,
  );
  return rows.map((row) => ({
    id: row.id,
    nearMissId: row.near_miss_id,
    serviceId: row.service_id,
    recipient: row.recipient,
    dueBy: row.due_by,
    notifiedAt: null,
    notifiedBy: null,
    method: null,
    externalReference: null,
  }));
}

/**
 * Notifications of a tenant's services (each list null: every service) that
 * were past due and not yet made at `at`: a count for governance.
 */
export async function countOverdueNotifications(
  tx: Transaction,
  tenantId: string,
  services: { caller: string[] | null; asked: string[] | null },
  at: Date,
): Promise<number> {
  if (services.caller?.length === 0 || services.asked?.length === 0) return 0;
  let query = tx
    .getRepository(NotificationEntity)
    .createQueryBuilder('o')
    .where('o.tenantId = :tenantId AND o.dueBy < :at AND (o.notifiedAt IS NULL OR o.notifiedAt > :at)', {
      tenantId,
      at,
    });
  if (services.caller) query = query.andWhere('o.serviceId IN (:...caller)', { caller: services.caller });
  if (services.asked) query = query.andWhere('o.serviceId IN (:...asked)', { asked: services.asked });
  return query.getCount();
}

/** The most windows a provider sets (setNotificationWindow refuses more). */
export const maxNotificationWindows = 200;

/** A provider's notification windows by recipient key (`*` for everyone else). */
export async function loadNotificationWindows(tx: Transaction, tenantId: string): Promise<NotificationWindows> {
  const rows = await tx.getRepository(NotificationWindowEntity).find({
    select: { recipient: true, hours: true },
    where: { tenantId },
    order: { recipient: 'ASC' },
    take: maxNotificationWindows,
  });
  return new Map(rows.map((row) => [row.recipient, row.hours]));
}

export async function saveNotificationWindow(
  tx: Transaction,
  window: { tenantId: string; recipient: string; hours: number; updatedBy: string },
): Promise<void> {
  await tx
    .getRepository(NotificationWindowEntity)
    .upsert({ ...window, updatedAt: () => 'now()' }, { conflictPaths: ['tenantId', 'recipient'] });
}
