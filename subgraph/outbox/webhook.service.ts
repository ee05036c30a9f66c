import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { recordAudit } from '../audit/audit-log';
import type { Principal } from '../auth/principal';
import { authorize } from '../auth/role-matrix';
import { badUserInput, notFound, type FieldProblem } from '../common/errors';
import type { TenantDatabase } from '../database/tenant-scope';
import type { Transaction } from '../database/transaction';
import { toFieldProblems } from '../common/validation';
import type { Actor } from '../server/actor';
import {
  abandonPendingDeliveries,
  countActiveWebhooks,
  insertWebhook,
  loadDeliveries,
  loadWebhooks,
  lockWebhook,
  markWebhookDeactivated,
} from './webhook.repository';
import { sealSigningSecret } from './webhook-secret-cipher';
import { newSigningSecret } from './webhook-signature';
import { systemHostResolver, webhookHostProblem, webhookUrlProblem } from './webhook-url';
import type { WebhookDelivery, WebhookDeliveryStatus, WebhookSubscription } from './webhook.type';

export const maxWebhooksPerTenant = 20;

const eventTypesSchema = z
  .array(
    z
      .string()
      .trim()
      .regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/, 'must look like near_miss.reported')
      .max(100),
  )
  .min(1, 'give at least one type, or leave it out for every type')
  .max(50)
  .transform((types) => [...new Set(types)].sort());

export interface RegisterWebhookInput {
  url: string;
  /** Null or undefined: every event type. */
  eventTypes?: string[] | null;
}

/** Registers a receiver for the caller's tenant; the signing secret is returned here and never again. */
export async function registerWebhook(
  tx: Transaction,
  actor: Actor,
  input: RegisterWebhookInput,
): Promise<{ webhook: WebhookSubscription; signingSecret: string }> {
  const { principal } = actor;
  authorize(principal, 'webhooks.manage');
  const url = input.url.trim();
  const problems: FieldProblem[] = [];
  const { allowInsecureUrls, secretKey, timeoutMs } = actor.services.config.webhooks;
  // A name is judged by the addresses it resolves to (again before each delivery: it may change).
  const urlProblem =
    webhookUrlProblem(url, allowInsecureUrls) ??
    (allowInsecureUrls
      ? undefined
      : await webhookHostProblem(url, actor.services.resolveHost ?? systemHostResolver, timeoutMs));
  if (urlProblem) problems.push({ path: 'url', message: urlProblem });
  const types = input.eventTypes == null ? undefined : eventTypesSchema.safeParse(input.eventTypes);
  if (types && !types.success) problems.push(...toFieldProblems(types.error, ['eventTypes']));
  if (problems.length || (types && !types.success)) throw badUserInput(problems);

  if ((await countActiveWebhooks(tx, principal.tenantId)) >= maxWebhooksPerTenant) {
    throw badUserInput([
      {
        path: 'url',
        message: `at most ${maxWebhooksPerTenant} active webhooks per organisation; deactivate one first`,
      },
    ]);
  }
  // Stored sealed, bound to its tenant and id; the admin sees it once, in this payload.
  const id = randomUUID();
  const secret = newSigningSecret();
  const webhook = await insertWebhook(tx, {
    id,
    tenantId: principal.tenantId,
    url,
    sealedSecret: sealSigningSecret(secretKey, { tenantId: principal.tenantId, webhookId: id }, secret),
    eventTypes: types?.data ?? null,
    createdBy: principal.staffId,
  });
  await recordAudit(tx, {
    tenantId: principal.tenantId,
    actor: principal.staffId,
    action: 'webhook.registered',
    detail: { webhookId: webhook.id, host: new URL(webhook.url).host, eventTypes: webhook.eventTypes },
  });
  return { webhook, signingSecret: secret };
}

export async function listWebhooks(principal: Principal, db: TenantDatabase): Promise<WebhookSubscription[]> {
  authorize(principal, 'webhooks.manage');
  return db.read((tx) => loadWebhooks(tx, principal.tenantId));
}

/** Stops deliveries to a receiver; what was still pending for it becomes DEAD (the feed still has every event). */
export async function deactivateWebhook(
  tx: Transaction,
  actor: Actor,
  input: { id: string },
): Promise<WebhookSubscription> {
  const { principal } = actor;
  const { id } = input;
  authorize(principal, 'webhooks.manage');
  if (!z.uuid().safeParse(id).success) throw notFound(`Webhook ${id} does not exist`);
  const current = await lockWebhook(tx, principal.tenantId, id);
  if (!current) throw notFound(`Webhook ${id} does not exist`);
  if (!current.active) return current;
  const deactivatedAt = await markWebhookDeactivated(tx, principal.tenantId, id);
  const abandoned = await abandonPendingDeliveries(tx, principal.tenantId, id, 'webhook deactivated');
  await recordAudit(tx, {
    tenantId: principal.tenantId,
    actor: principal.staffId,
    action: 'webhook.deactivated',
    detail: { webhookId: id, active: { from: true, to: false }, pendingDeliveriesAbandoned: abandoned },
  });
  return { ...current, active: false, deactivatedAt };
}

/** Recent deliveries of one webhook, newest first (for an admin chasing a DEAD one). */
export async function webhookDeliveries(
  tx: Transaction,
  tenantId: string,
  subscriptionId: string,
  status: WebhookDeliveryStatus | undefined,
  first: number,
): Promise<WebhookDelivery[]> {
  if (!Number.isInteger(first) || first < 0 || first > 100)
    throw badUserInput([{ path: 'first', message: 'must be between 0 and 100' }]);
  return loadDeliveries(tx, tenantId, subscriptionId, status, first);
}
