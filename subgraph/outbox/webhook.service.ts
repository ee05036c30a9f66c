import { z } from 'zod';
import type { EntityManager } from 'typeorm';
import { recordAudit } from '../audit/audit-log';
import type { Principal } from '../auth/principal';
import { authorize } from '../auth/role-matrix';
import { badUserInput, notFound, type FieldProblem } from '../common/errors';
import type { WebhookConfig } from '../config';
import type { TenantDatabase } from '../database/tenant-scope';
import { hostReference, Staff } from '../host-entities/host-entity.types';
import { toFieldProblems } from '../common/validation';
import { WebhookDelivery, WebhookDeliveryStatus, WebhookSubscription } from './webhook.type';
import { newSigningSecret } from './webhook-signature';
import { webhookUrlProblem } from './webhook-url';

export const maxWebhooksPerTenant = 20;

const eventTypesSchema = z
  .array(z.string().trim().regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/, 'must look like near_miss.reported').max(100))
  .min(1, 'give at least one type, or leave it out for every type')
  .max(50)
  .transform((types) => [...new Set(types)].sort());

interface SubscriptionRow {
  id: string;
  url: string;
  event_types: string[] | null;
  active: boolean;
  created_by: string;
  created_at: Date;
  deactivated_at: Date | null;
}

const subscriptionColumns = 'id, url, event_types, active, created_by, created_at, deactivated_at';

const toSubscription = (row: SubscriptionRow): WebhookSubscription => ({
  id: row.id,
  url: row.url,
  eventTypes: row.event_types,
  active: row.active,
  createdAt: row.created_at,
  createdBy: hostReference(Staff, row.created_by)!,
  deactivatedAt: row.deactivated_at ?? undefined,
});

/** Registers a receiver for the caller's tenant; the signing secret is returned here and never again. */
export async function registerWebhook(
  config: WebhookConfig,
  principal: Principal,
  db: TenantDatabase,
  url: string,
  eventTypes: string[] | null | undefined,
): Promise<{ webhook: WebhookSubscription; signingSecret: string }> {
  authorize(principal, 'webhooks.manage');
  const problems: FieldProblem[] = [];
  const urlProblem = webhookUrlProblem(url.trim(), config.allowInsecureUrls);
  if (urlProblem) problems.push({ path: 'url', message: urlProblem });
  const types = eventTypes == null ? undefined : eventTypesSchema.safeParse(eventTypes);
  if (types && !types.success) problems.push(...toFieldProblems(types.error, ['eventTypes']));
  if (problems.length || (types && !types.success)) throw badUserInput(problems);

  const secret = newSigningSecret();
  return db.transaction(async (manager) => {
    const [{ count }]: { count: number }[] = await manager.query(
      `SELECT count(*)::int AS count FROM webhook_subscription WHERE tenant_id = $1 AND active`,
      [principal.tenantId],
    );
    if (count >= maxWebhooksPerTenant) {
      throw badUserInput([{ path: 'url', message: `at most ${maxWebhooksPerTenant} active webhooks per organisation; deactivate one first` }]);
    }
    const [row]: SubscriptionRow[] = await manager.query(
      `INSERT INTO webhook_subscription (tenant_id, url, secret, event_types, created_by) VALUES ($1, $2, $3, $4, $5)
       RETURNING ${subscriptionColumns}`,
      [principal.tenantId, url.trim(), secret, types?.data ?? null, principal.staffId],
    );
    await recordAudit(manager, {
      tenantId: principal.tenantId,
      actor: principal.staffId,
      action: 'webhook.registered',
      detail: { webhookId: row.id, host: new URL(row.url).host, eventTypes: row.event_types },
    });
    return { webhook: toSubscription(row), signingSecret: secret };
  });
}

export async function listWebhooks(principal: Principal, db: TenantDatabase): Promise<WebhookSubscription[]> {
  authorize(principal, 'webhooks.manage');
  const rows: SubscriptionRow[] = await db.read((manager) =>
    manager.query(`SELECT ${subscriptionColumns} FROM webhook_subscription WHERE tenant_id = $1 ORDER BY created_at, id`, [principal.tenantId]),
  );
  return rows.map(toSubscription);
}

/** Stops deliveries to a receiver; what was still pending for it becomes DEAD (the feed still has every event). */
export async function deactivateWebhook(principal: Principal, db: TenantDatabase, id: string): Promise<WebhookSubscription> {
  authorize(principal, 'webhooks.manage');
  if (!z.uuid().safeParse(id).success) throw notFound(`Webhook ${id} does not exist`);
  return db.transaction(async (manager) => {
    const [current]: SubscriptionRow[] = await manager.query(
      `SELECT ${subscriptionColumns} FROM webhook_subscription WHERE tenant_id = $1 AND id = $2 FOR UPDATE`,
      [principal.tenantId, id],
    );
    if (!current) throw notFound(`Webhook ${id} does not exist`);
    if (!current.active) return toSubscription(current);
    const [[row]]: [SubscriptionRow[], number] = await manager.query(
      `UPDATE webhook_subscription SET active = false, deactivated_at = clock_timestamp() WHERE tenant_id = $1 AND id = $2
       RETURNING ${subscriptionColumns}`,
      [principal.tenantId, id],
    );
    const [, abandoned]: [unknown[], number] = await manager.query(
      `UPDATE webhook_delivery SET status = 'DEAD', locked_until = NULL, lease_token = NULL, last_error = 'webhook deactivated'
       WHERE tenant_id = $1 AND subscription_id = $2 AND status = 'PENDING'`,
      [principal.tenantId, id],
    );
    await recordAudit(manager, {
      tenantId: principal.tenantId,
      actor: principal.staffId,
      action: 'webhook.deactivated',
      detail: { webhookId: id, active: { from: true, to: false }, pendingDeliveriesAbandoned: abandoned },
    });
    return toSubscription(row);
  });
}

/** Recent deliveries of one webhook, newest first (for an admin chasing a DEAD one). */
export async function loadDeliveries(
  manager: EntityManager,
  tenantId: string,
  subscriptionId: string,
  status: WebhookDeliveryStatus | undefined,
  first: number,
): Promise<WebhookDelivery[]> {
  if (!Number.isInteger(first) || first < 0 || first > 100) throw badUserInput([{ path: 'first', message: 'must be between 0 and 100' }]);
  const rows: {
    id: string; event_id: string; event_type: string; aggregate_id: string; status: WebhookDeliveryStatus; attempts: number; next_attempt_at: Date;
    last_attempt_at: Date | null; last_status_code: number | null; last_error: string | null; delivered_at: Date | null;
  }[] = await manager.query(
    `SELECT d.id, d.event_id, e.event_type, d.aggregate_id, d.status, d.attempts, d.next_attempt_at, d.last_attempt_at,
            d.last_status_code, d.last_error, d.delivered_at
     FROM webhook_delivery d JOIN outbox_event e ON e.id = d.event_id
     WHERE d.tenant_id = $1 AND d.subscription_id = $2 AND ($3::text IS NULL OR d.status = $3)
     ORDER BY d.id DESC LIMIT $4`,
    [tenantId, subscriptionId, status ?? null, first],
  );
  return rows.map((row) => ({
    id: row.id,
    eventId: row.event_id,
    eventType: row.event_type,
    aggregateId: row.aggregate_id,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastAttemptAt: row.last_attempt_at ?? undefined,
    lastStatusCode: row.last_status_code ?? undefined,
    lastError: row.last_error ?? undefined,
    deliveredAt: row.delivered_at ?? undefined,
  }));
}
