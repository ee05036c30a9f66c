import { randomBytes, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { SealedWebhookSecrets1763900012400 } from '../../migrations/1763900012400-SealedWebhookSecrets';
import { createLogger } from '../../subgraph/common/logger';
import type { WebhookConfig } from '../../subgraph/config';
import { openDatabase, type Database } from '../../subgraph/database/data-source';
import { createTenantDatabase } from '../../subgraph/database/tenant-scope';
import { enqueueEvent } from '../../subgraph/outbox/outbox';
import type { HostResolver } from '../../subgraph/outbox/webhook-url';
import {
  createWebhookDispatcher,
  type DispatchReport,
  type WebhookDispatcher,
} from '../../subgraph/outbox/webhook-dispatcher';
import { verifySignature } from '../../subgraph/outbox/webhook-signature';
import { medicationReport, newKey, reportMutation } from '../support/reports';
import { startTestApp, testWebhookSecretKey, uniqueTenant, type Caller, type TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';
import { startWebhookReceiver, type ReceivedRequest, type WebhookReceiver } from '../support/webhook-receiver';

const onServer = Boolean(process.env.DATABASE_URL);
// The embedded database runs one transaction at a time, so replicas cannot contend there.
const serverOnly = onServer ? it : it.skip;

const registerMutation = /* GraphQL */ `
  mutation Register($url: String!, $eventTypes: [String!]) {
    registerWebhook(url: $url, eventTypes: $eventTypes) {
      signingSecret
      webhook {
        id
        url
        eventTypes
        active
        createdBy {
          id
        }
      }
    }
  }
`;
const deactivateMutation = /* GraphQL */ `
  mutation ($id: ID!) {
    deactivateWebhook(id: $id) {
      id
      active
      deactivatedAt
    }
  }
`;
const webhooksQuery = /* GraphQL */ `
  {
    webhooks {
      id
      url
      eventTypes
      active
      deliveries {
        eventId
        eventType
        status
        attempts
        lastError
      }
    }
  }
`;
const eventsQuery = /* GraphQL */ `
  query Events($after: String, $first: Int) {
    nearMissEvents(after: $after, first: $first) {
      edges {
        cursor
        node {
          id
          type
          aggregateId
          payload
          createdAt
          nearMiss {
            id
            reference
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

const admin = (tenant: string): Caller => ({ tenant, sub: 'staff-admin', roles: ['ADMIN'], services: ['*'] });
const reporter = (tenant: string): Caller => ({
  tenant,
  sub: 'staff-reporter',
  roles: ['REPORTER'],
  services: ['north'],
});

async function registerWebhook(t: TestApp, tenant: string, url: string, eventTypes?: string[]) {
  const result = await t.graphql(registerMutation, { url, eventTypes }, admin(tenant));
  expect(result.errors).toBeUndefined();
  return result.data!.registerWebhook as { signingSecret: string; webhook: { id: string } };
}

async function report(t: TestApp, tenant: string): Promise<string> {
  const result = await t.graphql(reportMutation, { input: medicationReport(), key: newKey() }, reporter(tenant));
  expect(result.errors).toBeUndefined();
  return result.data!.reportNearMiss.nearMiss.id;
}

/** Writes one event the way every service does: in a tenant transaction. */
const emit = (
  dataSource: DataSource,
  tenant: string,
  aggregateId: string,
  type = 'near_miss.test_step',
  payload: Record<string, unknown> = {},
) =>
  createTenantDatabase(dataSource, tenant).transaction((manager) =>
    enqueueEvent(manager, { tenantId: tenant, type, aggregateId, payload }),
  );

// In a transaction: the embedded database's socket interleaves concurrent autocommit statements.
const sql = <T = any>(dataSource: DataSource, text: string, parameters: unknown[] = []): Promise<T> =>
  dataSource.transaction((manager) => manager.query(text, parameters));

const deliveries = (dataSource: DataSource, tenant: string) =>
  sql<
    {
      id: string;
      event_id: string;
      subscription_id: string;
      aggregate_id: string;
      status: string;
      attempts: number;
      last_status_code: number | null;
      last_error: string | null;
      delivered_at: Date | null;
    }[]
  >(
    dataSource,
    `SELECT d.id, d.event_id, d.subscription_id, d.aggregate_id, d.status, d.attempts, d.last_status_code, d.last_error, d.delivered_at
     FROM webhook_delivery d WHERE d.tenant_id = $1 ORDER BY d.event_id`,
    [tenant],
  );

const eventIds = async (dataSource: DataSource, tenant: string): Promise<string[]> =>
  (await sql(dataSource, `SELECT id FROM outbox_event WHERE tenant_id = $1 ORDER BY id`, [tenant])).map(
    (row: { id: string }) => row.id,
  );

const fastWebhooks = (overrides: Partial<WebhookConfig> = {}): WebhookConfig => ({
  dispatchEnabled: false,
  dispatchIntervalMs: 10,
  batchSize: 10,
  maxAttempts: 100,
  backoffBaseMs: 5,
  backoffMaxMs: 40,
  timeoutMs: 3000,
  allowInsecureUrls: true,
  // The test apps' key: these dispatchers open the secrets the apps sealed.
  secretKey: Buffer.from(testWebhookSecretKey, 'hex'),
  secretKeyDerived: false,
  ...overrides,
});

// Offline lookups for production-mode apps: public names, and one that also resolves inside.
const fixedHosts: HostResolver = (hostname) => {
  const answers: Record<string, string[]> = {
    'hooks.example.org': ['203.0.113.10', '2001:db8::10'],
    'split.example.org': ['203.0.113.11', '127.0.0.1'],
    'metadata.example.org': ['169.254.169.254'],
  };
  const addresses = answers[hostname];
  return addresses
    ? Promise.resolve(addresses)
    : Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }));
};

const dispatcherOn = (dataSource: DataSource, overrides: Partial<WebhookConfig> = {}, resolveHost = fixedHosts) =>
  createWebhookDispatcher({ dataSource, config: fastWebhooks(overrides), logger: createLogger('silent'), resolveHost });

/** Runs a dispatcher's batches back to back until `done`. */
async function drive(
  dispatcher: WebhookDispatcher,
  done: () => Promise<boolean>,
  what: string,
): Promise<DispatchReport[]> {
  const reports: DispatchReport[] = [];
  await waitFor(
    what,
    async () => {
      reports.push(await dispatcher.dispatchOnce());
      return done();
    },
    30_000,
    1,
  );
  return reports;
}

const ofTenant = (requests: ReceivedRequest[], tenant: string) =>
  requests.filter((request) => JSON.parse(request.body).tenantId === tenant);

const byEvent = (requests: ReceivedRequest[]) => {
  const counts = new Map<string, number>();
  for (const request of requests) counts.set(request.eventId, (counts.get(request.eventId) ?? 0) + 1);
  return counts;
};

describe("webhooks delivered by the app's own dispatcher", () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    t = await startTestApp({
      env: {
        WEBHOOK_DISPATCH_ENABLED: 'true',
        WEBHOOK_DISPATCH_INTERVAL_MS: '10',
        WEBHOOK_BACKOFF_BASE_MS: '10',
        WEBHOOK_BACKOFF_MAX_MS: '60',
        WEBHOOK_MAX_ATTEMPTS: '100',
        WEBHOOK_TIMEOUT_MS: '3000',
      },
    });
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => {
    await t?.stop();
    await receiver?.close().catch(() => undefined);
  });

  it('gives a receiver that was down for a while every event once it is back: signed, once each, in order per near miss', async () => {
    const tenant = uniqueTenant('hooks');
    const { signingSecret } = await registerWebhook(t, tenant, receiver.url);
    await receiver.close(); // down: connections refused

    const nearMissIds = [await report(t, tenant), await report(t, tenant), await report(t, tenant)];
    for (const id of nearMissIds)
      await emit(t.app.database.dataSource, tenant, id, 'near_miss.acknowledged', { status: 'ACKNOWLEDGED' });
    for (const id of nearMissIds)
      await emit(t.app.database.dataSource, tenant, id, 'near_miss.triaged', { route: 'OPERATIONAL_FIX' });
    // Reporting three similar near misses also opens a risk review (an event of its own).
    const written: { id: string; aggregate_id: string; event_type: string }[] = await sql(
      t.app.database.dataSource,
      `SELECT id, aggregate_id, event_type FROM outbox_event WHERE tenant_id = $1 ORDER BY transaction_id, id`,
      [tenant],
    );
    const events = written.map((event) => event.id);
    expect(written.filter((event) => nearMissIds.includes(event.aggregate_id))).toHaveLength(9);

    // Refused, retried with backoff: the first event of each near miss is tried again and again.
    await waitFor(
      'three refused deliveries retried',
      async () =>
        (await deliveries(t.app.database.dataSource, tenant)).filter(
          (row) => row.attempts >= 2 && row.status === 'PENDING',
        ).length >= 3,
    );
    // Up but failing (503), then healthy.
    receiver.respondWith(503);
    await receiver.listen();
    await waitFor('503 answers', () => receiver.requests.filter((request) => request.status === 503).length >= 3);
    receiver.respondWith(200);
    await waitFor('every delivery delivered', async () =>
      (await deliveries(t.app.database.dataSource, tenant)).every((row) => row.status === 'DELIVERED'),
    );

    const accepted = ofTenant(receiver.accepted(), tenant);
    expect([...byEvent(accepted).keys()].sort()).toEqual([...events].sort());
    expect([...byEvent(accepted).values()].every((count) => count === 1)).toBe(true);
    // Nothing is sent again after the receiver accepted it.
    for (const request of accepted) {
      expect(
        receiver.requests.filter((other) => other.eventId === request.eventId && other.startedAt > request.endedAt),
      ).toEqual([]);
    }
    for (const request of accepted) {
      expect(verifySignature(signingSecret, request.body, String(request.headers['x-near-miss-signature']))).toBe(true);
      expect(verifySignature('whsec_another', request.body, String(request.headers['x-near-miss-signature']))).toBe(
        false,
      );
      const body = JSON.parse(request.body);
      expect(body).toMatchObject({
        id: request.eventId,
        tenantId: tenant,
        type: request.headers['x-near-miss-event-type'],
      });
      expect(body.aggregateId).toBe(written.find((event) => event.id === request.eventId)!.aggregate_id);
      expect(request.body).not.toContain('levodopa'); // no free text from the report
    }
    // In the order written, per near miss (and per risk review).
    for (const id of nearMissIds) {
      const types = accepted
        .filter((request) => JSON.parse(request.body).aggregateId === id)
        .map((request) => request.headers['x-near-miss-event-type']);
      expect(types).toEqual(['near_miss.reported', 'near_miss.acknowledged', 'near_miss.triaged']);
    }
    for (const aggregate of new Set(written.map((event) => event.aggregate_id))) {
      const received = accepted
        .filter((request) => JSON.parse(request.body).aggregateId === aggregate)
        .map((request) => request.eventId);
      expect(received).toEqual(written.filter((event) => event.aggregate_id === aggregate).map((event) => event.id));
    }
    const rows = await deliveries(t.app.database.dataSource, tenant);
    expect(
      rows.every((row) => row.last_status_code === 200 && row.delivered_at !== null && row.last_error === null),
    ).toBe(true);
    expect(Math.max(...rows.map((row) => row.attempts))).toBeGreaterThan(2);

    const listed = await t.graphql(webhooksQuery, {}, admin(tenant));
    expect(listed.data!.webhooks[0].deliveries).toHaveLength(events.length);
    expect(
      listed.data!.webhooks[0].deliveries.every((delivery: { status: string }) => delivery.status === 'DELIVERED'),
    ).toBe(true);
  });

  it('stops with the app mid-retry, releasing its claims so that another replica carries on', async () => {
    const tenant = uniqueTenant('hooks');
    const other = await startWebhookReceiver();
    other.respondWith(500);
    await registerWebhook(t, tenant, other.url);
    await report(t, tenant);
    await waitFor('a failed attempt', () => other.requests.length >= 1);
    await t.app.webhookDispatcher.stop();
    const [stopped] = await sql(
      t.app.database.dataSource,
      `SELECT status, locked_until FROM webhook_delivery WHERE tenant_id = $1`,
      [tenant],
    );
    expect(stopped).toEqual({ status: 'PENDING', locked_until: null });

    other.respondWith(200);
    await drive(
      dispatcherOn(t.app.database.dataSource),
      async () => (await deliveries(t.app.database.dataSource, tenant))[0].status === 'DELIVERED',
      'another replica',
    );
    expect(other.accepted()).toHaveLength(1);
    await other.close();
  });
});

describe('the webhook dispatcher', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    t = await startTestApp();
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => {
    await t?.stop();
    await receiver?.close();
  });
  beforeEach(() => {
    receiver.respondWith(200);
    receiver.delayMs = 0;
  });

  it("writes the event and its deliveries in the caller's transaction: a change that rolls back leaves neither", async () => {
    const tenant = uniqueTenant('hooks');
    await registerWebhook(t, tenant, receiver.url);
    const db = createTenantDatabase(t.app.database.dataSource, tenant);
    await expect(
      db.transaction(async (manager) => {
        await enqueueEvent(manager, {
          tenantId: tenant,
          type: 'near_miss.test_step',
          aggregateId: randomUUID(),
          payload: {},
        });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await eventIds(t.app.database.dataSource, tenant)).toEqual([]);
    expect(await deliveries(t.app.database.dataSource, tenant)).toEqual([]);

    await emit(t.app.database.dataSource, tenant, randomUUID());
    expect(await deliveries(t.app.database.dataSource, tenant)).toHaveLength(1);
  });

  it('refuses free text in event payloads', async () => {
    const tenant = uniqueTenant('hooks');
    await expect(
      emit(t.app.database.dataSource, tenant, randomUUID(), 'reporter_feedback.sent', {
        kind: 'MANUAL',
        message: 'We changed the MAR',
      }),
    ).rejects.toThrow(/free-text fields \(payload\.message\)/);
    expect(await eventIds(t.app.database.dataSource, tenant)).toEqual([]);
  });

  it('gives each event only to active webhooks that want its type; deactivating one kills its pending deliveries', async () => {
    const tenant = uniqueTenant('hooks');
    const everything = await registerWebhook(t, tenant, receiver.url);
    const triageOnly = await registerWebhook(t, tenant, `${receiver.url}?only=triage`, ['near_miss.triaged']);
    const nearMissId = randomUUID();
    await emit(t.app.database.dataSource, tenant, nearMissId, 'near_miss.reported');
    await emit(t.app.database.dataSource, tenant, nearMissId, 'near_miss.triaged');
    let rows = await deliveries(t.app.database.dataSource, tenant);
    expect(rows.filter((row) => row.subscription_id === everything.webhook.id)).toHaveLength(2);
    expect(rows.filter((row) => row.subscription_id === triageOnly.webhook.id)).toHaveLength(1);

    const deactivated = await t.graphql(deactivateMutation, { id: everything.webhook.id }, admin(tenant));
    expect(deactivated.data!.deactivateWebhook).toMatchObject({ id: everything.webhook.id, active: false });
    rows = await deliveries(t.app.database.dataSource, tenant);
    expect(
      rows.filter((row) => row.subscription_id === everything.webhook.id).map((row) => [row.status, row.last_error]),
    ).toEqual([
      ['DEAD', 'webhook deactivated'],
      ['DEAD', 'webhook deactivated'],
    ]);
    await emit(t.app.database.dataSource, tenant, nearMissId, 'near_miss.triaged');
    expect(
      (await deliveries(t.app.database.dataSource, tenant)).filter(
        (row) => row.subscription_id === everything.webhook.id,
      ),
    ).toHaveLength(2);

    await drive(
      dispatcherOn(t.app.database.dataSource),
      async () => (await deliveries(t.app.database.dataSource, tenant)).every((row) => row.status !== 'PENDING'),
      'the triage-only deliveries',
    );
    const sent = ofTenant(receiver.requests, tenant);
    expect(sent.map((request) => new URL(request.url, 'http://receiver').search)).toEqual([
      '?only=triage',
      '?only=triage',
    ]);
    expect(sent.map((request) => request.headers['x-near-miss-event-type'])).toEqual([
      'near_miss.triaged',
      'near_miss.triaged',
    ]);
  });

  it('writes several events of one change in one statement: in order, each with the deliveries its webhooks want', async () => {
    const tenant = uniqueTenant('hooks-batch');
    const everything = await registerWebhook(t, tenant, receiver.url);
    const triageOnly = await registerWebhook(t, tenant, `${receiver.url}?only=triage`, ['near_miss.triaged']);
    const [first, second] = [randomUUID(), randomUUID()];
    await createTenantDatabase(t.app.database.dataSource, tenant).transaction((manager) =>
      enqueueEvent(manager, [
        { tenantId: tenant, type: 'near_miss.reported', aggregateId: first, payload: { step: 1 } },
        { tenantId: tenant, type: 'near_miss.triaged', aggregateId: second, payload: { step: 2 } },
        { tenantId: tenant, type: 'near_miss.triaged', aggregateId: first, payload: { step: 3 } },
      ]),
    );
    const events = await sql(
      t.app.database.dataSource,
      `SELECT event_type, aggregate_id, payload FROM outbox_event WHERE tenant_id = $1 ORDER BY id`,
      [tenant],
    );
    expect(events).toEqual([
      { event_type: 'near_miss.reported', aggregate_id: first, payload: { step: 1 } },
      { event_type: 'near_miss.triaged', aggregate_id: second, payload: { step: 2 } },
      { event_type: 'near_miss.triaged', aggregate_id: first, payload: { step: 3 } },
    ]);
    const rows = await deliveries(t.app.database.dataSource, tenant);
    expect(rows.filter((row) => row.subscription_id === everything.webhook.id)).toHaveLength(3);
    expect(
      rows
        .filter((row) => row.subscription_id === triageOnly.webhook.id)
        .map((row) => row.aggregate_id)
        .sort(),
    ).toEqual([first, second].sort());
    // Leave nothing pending for the other tests' dispatchers (two webhooks here share one receiver).
    for (const webhook of [everything, triageOnly])
      expect((await t.graphql(deactivateMutation, { id: webhook.webhook.id }, admin(tenant))).errors).toBeUndefined();
  });

  it('marks a delivery DEAD after the maximum attempts, and does not hold up the next event of its near miss', async () => {
    const tenant = uniqueTenant('hooks');
    await registerWebhook(t, tenant, receiver.url);
    const nearMissId = randomUUID();
    await emit(t.app.database.dataSource, tenant, nearMissId, 'near_miss.reported');
    await emit(t.app.database.dataSource, tenant, nearMissId, 'near_miss.acknowledged');
    const [first, second] = await eventIds(t.app.database.dataSource, tenant);
    receiver.respondWith(({ eventId }) => (eventId === first ? 500 : 200));

    await drive(
      dispatcherOn(t.app.database.dataSource, { maxAttempts: 3 }),
      async () => (await deliveries(t.app.database.dataSource, tenant)).every((row) => row.status !== 'PENDING'),
      'the deliveries to settle',
    );
    const rows = await deliveries(t.app.database.dataSource, tenant);
    expect(rows.map((row) => [row.event_id, row.status, row.attempts, row.last_error])).toEqual([
      [first, 'DEAD', 3, 'HTTP 500'],
      [second, 'DELIVERED', 1, null],
    ]);
    const counts = byEvent(
      receiver.requests.filter((request) => request.eventId === first || request.eventId === second),
    );
    expect(counts.get(first)).toBe(3);
    expect(counts.get(second)).toBe(1);
    // The second event waited for the first to be given up.
    const firstTries = receiver.requests.filter((request) => request.eventId === first);
    const secondTry = receiver.requests.find((request) => request.eventId === second)!;
    expect(secondTry.startedAt).toBeGreaterThanOrEqual(Math.max(...firstTries.map((request) => request.endedAt)));
  });

  it('stores the signing secret sealed: the row holds no plaintext, and deliveries verify with the secret shown once', async () => {
    const tenant = uniqueTenant('hooks');
    const { signingSecret, webhook } = await registerWebhook(t, tenant, receiver.url);
    const [row] = await sql<{ secret: string }[]>(
      t.app.database.dataSource,
      `SELECT secret FROM webhook_subscription WHERE id = $1`,
      [webhook.id],
    );
    expect(row.secret).toMatch(/^v1:[\w-]{16}:[\w-]{22}:[\w-]+$/);
    expect(row.secret).not.toContain(signingSecret);
    expect(row.secret).not.toContain(signingSecret.slice('whsec_'.length, 20));

    await emit(t.app.database.dataSource, tenant, randomUUID());
    await drive(
      dispatcherOn(t.app.database.dataSource),
      async () =>
        (await deliveries(t.app.database.dataSource, tenant)).every((delivery) => delivery.status === 'DELIVERED'),
      'the delivery',
    );
    const [request] = ofTenant(receiver.requests, tenant);
    expect(verifySignature(signingSecret, request.body, String(request.headers['x-near-miss-signature']))).toBe(true);
  });

  it('sends nothing when the secret does not open with its key, and delivers once the right key is back', async () => {
    const tenant = uniqueTenant('hooks');
    const { signingSecret } = await registerWebhook(t, tenant, receiver.url);
    await emit(t.app.database.dataSource, tenant, randomUUID());

    // Driven until attempted: a transaction open elsewhere on the cluster can hold a new event back for a moment.
    await drive(
      dispatcherOn(t.app.database.dataSource, { secretKey: randomBytes(32) }),
      async () => (await deliveries(t.app.database.dataSource, tenant))[0].attempts > 0,
      'an attempt with the wrong key',
    );
    expect(ofTenant(receiver.requests, tenant)).toEqual([]);
    const [failed] = await deliveries(t.app.database.dataSource, tenant);
    expect(failed).toMatchObject({ status: 'PENDING', attempts: 1, last_status_code: null });
    expect(failed.last_error).toMatch(/does not open with WEBHOOK_SECRET_KEY/);

    await drive(
      dispatcherOn(t.app.database.dataSource),
      async () => (await deliveries(t.app.database.dataSource, tenant))[0].status === 'DELIVERED',
      'the delivery with the right key',
    );
    const [request] = ofTenant(receiver.requests, tenant);
    expect(verifySignature(signingSecret, request.body, String(request.headers['x-near-miss-signature']))).toBe(true);
  });

  it('checks the receiver again before each delivery in production settings: an internal address gets nothing', async () => {
    const tenant = uniqueTenant('hooks');
    // Registered while insecure targets were allowed; the deployment has since turned them off.
    const local = await registerWebhook(t, tenant, receiver.url);
    const split = await registerWebhook(t, tenant, 'https://split.example.org/near-miss');
    await emit(t.app.database.dataSource, tenant, randomUUID());

    await drive(
      dispatcherOn(t.app.database.dataSource, { allowInsecureUrls: false }),
      async () => (await deliveries(t.app.database.dataSource, tenant)).every((delivery) => delivery.attempts > 0),
      'an attempt at both receivers',
    );
    expect(ofTenant(receiver.requests, tenant)).toEqual([]);
    const errors = new Map(
      (await deliveries(t.app.database.dataSource, tenant)).map((row) => [row.subscription_id, row.last_error]),
    );
    expect(errors.get(local.webhook.id)).toBe('receiver refused, nothing sent: url must use https');
    expect(errors.get(split.webhook.id)).toBe(
      'receiver refused, nothing sent: url its host must not resolve to a loopback or private-network address',
    );
  });

  it('erased secrets stored in plain before they were sealed: their webhooks stopped, the sealed ones untouched', async () => {
    const tenant = uniqueTenant('hooks');
    const plain = await registerWebhook(t, tenant, receiver.url);
    const sealed = await registerWebhook(t, tenant, receiver.url);
    await emit(t.app.database.dataSource, tenant, randomUUID());
    const { dataSource } = t.app.database;
    const [before] = await sql<{ secret: string }[]>(
      dataSource,
      `SELECT secret FROM webhook_subscription WHERE id = $1`,
      [sealed.webhook.id],
    );
    // Back to before the migration, with a secret stored the old way, and forward again.
    const migration = new SealedWebhookSecrets1763900012400();
    const runner = dataSource.createQueryRunner();
    try {
      await runner.startTransaction();
      await migration.down(runner);
      await runner.query(`UPDATE webhook_subscription SET secret = $2 WHERE id = $1`, [
        plain.webhook.id,
        plain.signingSecret,
      ]);
      await migration.up(runner);
      await runner.commitTransaction();
    } finally {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      await runner.release();
    }

    const rows = await sql<{ id: string; secret: string | null; active: boolean; deactivated_at: Date | null }[]>(
      dataSource,
      `SELECT id, secret, active, deactivated_at FROM webhook_subscription WHERE tenant_id = $1`,
      [tenant],
    );
    expect(rows.find((row) => row.id === plain.webhook.id)).toMatchObject({ secret: null, active: false });
    expect(rows.find((row) => row.id === plain.webhook.id)!.deactivated_at).toBeInstanceOf(Date);
    expect(rows.find((row) => row.id === sealed.webhook.id)).toMatchObject({ secret: before.secret, active: true });
    const states = new Map(
      (await deliveries(dataSource, tenant)).map((row) => [row.subscription_id, [row.status, row.last_error]]),
    );
    expect(states.get(plain.webhook.id)).toEqual(['DEAD', expect.stringMatching(/register the webhook again/)]);
    expect(states.get(sealed.webhook.id)).toEqual(['PENDING', null]);
    // And nothing but a sealed envelope goes in any more.
    await expect(
      sql(dataSource, `UPDATE webhook_subscription SET secret = 'whsec_plain' WHERE id = $1`, [sealed.webhook.id]),
    ).rejects.toThrow(/webhook_subscription_secret_sealed/);
  });

  it('leaves a delivery leased by another replica alone until the lease expires, then retries it', async () => {
    const tenant = uniqueTenant('hooks');
    await registerWebhook(t, tenant, receiver.url);
    await emit(t.app.database.dataSource, tenant, randomUUID());
    // Another replica claimed it and then died.
    await sql(
      t.app.database.dataSource,
      `UPDATE webhook_delivery SET locked_until = clock_timestamp() + interval '1 hour', lease_token = gen_random_uuid(), attempts = 1 WHERE tenant_id = $1`,
      [tenant],
    );
    const dispatcher = dispatcherOn(t.app.database.dataSource);
    for (let round = 0; round < 3; round += 1) await dispatcher.dispatchOnce();
    expect(ofTenant(receiver.requests, tenant)).toEqual([]);

    await sql(
      t.app.database.dataSource,
      `UPDATE webhook_delivery SET locked_until = clock_timestamp() - interval '1 second' WHERE tenant_id = $1`,
      [tenant],
    );
    await drive(
      dispatcher,
      async () => (await deliveries(t.app.database.dataSource, tenant))[0].status === 'DELIVERED',
      'the expired lease to be retried',
    );
    const [row] = await deliveries(t.app.database.dataSource, tenant);
    expect(row.attempts).toBe(2);
    const sent = ofTenant(receiver.requests, tenant);
    expect(sent).toHaveLength(1);
    expect(sent[0].headers['x-near-miss-delivery-attempt']).toBe('2');
  });

  serverOnly(
    'two replicas polling one database never send the same event at the same time, and deliver every event once',
    async () => {
      const tenant = uniqueTenant('hooks');
      await registerWebhook(t, tenant, receiver.url);
      const [{ schema }] = await sql(t.app.database.dataSource, `SELECT current_schema() AS schema`);
      const replica: Database = await openDatabase({ databaseUrl: process.env.DATABASE_URL, schema, poolSize: 5 });
      try {
        const aggregates = Array.from({ length: 8 }, () => randomUUID());
        for (let step = 0; step < 6; step += 1) {
          await Promise.all(
            aggregates.map((id) => emit(t.app.database.dataSource, tenant, id, `near_miss.step_${step}`)),
          );
        }
        const events = await eventIds(t.app.database.dataSource, tenant);
        expect(events).toHaveLength(48);
        // Slow answers widen the window for a duplicate; every third first try fails so retries race too.
        receiver.delayMs = 15;
        receiver.respondWith(({ count, eventId }) => (count === 1 && Number(eventId) % 3 === 0 ? 503 : 200));
        const settled = async () =>
          (await deliveries(t.app.database.dataSource, tenant)).every((row) => row.status === 'DELIVERED');
        const [first, second] = await Promise.all([
          drive(dispatcherOn(t.app.database.dataSource, { batchSize: 3 }), settled, 'replica one'),
          drive(dispatcherOn(replica.dataSource, { batchSize: 3 }), settled, 'replica two'),
        ]);
        const sent = ofTenant(receiver.requests, tenant);
        expect(receiver.overlaps).toEqual([]);
        expect(first.reduce((sum, batch) => sum + batch.delivered, 0)).toBeGreaterThan(0);
        expect(second.reduce((sum, batch) => sum + batch.delivered, 0)).toBeGreaterThan(0);
        const accepted = byEvent(sent.filter((request) => request.status === 200));
        expect([...accepted.keys()].sort()).toEqual([...events].sort());
        expect([...accepted.values()].every((count) => count === 1)).toBe(true);
        // Per near miss, each event was accepted before the next one was sent.
        for (const id of aggregates) {
          const mine = sent.filter((request) => JSON.parse(request.body).aggregateId === id);
          const order = mine.filter((request) => request.status === 200).map((request) => Number(request.eventId));
          expect(order).toEqual([...order].sort((a, b) => a - b));
        }
      } finally {
        await replica.close();
      }
    },
  );
});

describe('nearMissEvents', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t?.stop());

  const integration = (tenant: string, services: string[] = ['*']): Caller => ({
    tenant,
    sub: 'ehr-integration',
    roles: ['INTEGRATION'],
    services,
  });

  async function readAll(caller: Caller, first: number, after?: string) {
    const nodes: {
      id: string;
      type: string;
      aggregateId: string;
      payload: Record<string, unknown>;
      nearMiss: { id: string } | null;
    }[] = [];
    let cursor = after;
    for (let page = 0; page < 50; page += 1) {
      const result = await t.graphql(eventsQuery, { after: cursor, first }, caller);
      expect(result.errors).toBeUndefined();
      const connection = result.data!.nearMissEvents;
      expect(connection.edges.length).toBeLessThanOrEqual(first);
      nodes.push(...connection.edges.map((edge: { node: (typeof nodes)[number] }) => edge.node));
      cursor = connection.pageInfo.endCursor ?? undefined;
      if (!connection.pageInfo.hasNextPage) return { nodes, cursor };
    }
    throw new Error('the feed did not end');
  }

  it("pages through the tenant's events in order, and only that tenant's", async () => {
    const tenant = uniqueTenant('feed');
    const other = uniqueTenant('feed');
    const ids = [await report(t, tenant), await report(t, tenant)];
    await report(t, other);
    for (const id of ids)
      await emit(t.app.database.dataSource, tenant, id, 'near_miss.acknowledged', { status: 'ACKNOWLEDGED' });
    await emit(t.app.database.dataSource, tenant, ids[0], 'near_miss.triaged');
    const events = await eventIds(t.app.database.dataSource, tenant);
    expect(events).toHaveLength(5);

    // An event shows once every transaction older than it has ended (other suites share the server).
    const { nodes, cursor } = await waitFor('the five events', async () => {
      const all = await readAll(integration(tenant), 2);
      return all.nodes.length === 5 && all;
    });
    expect(nodes.map((node) => node.id)).toEqual(events);
    expect(nodes.map((node) => node.type)).toEqual([
      'near_miss.reported',
      'near_miss.reported',
      'near_miss.acknowledged',
      'near_miss.acknowledged',
      'near_miss.triaged',
    ]);
    expect(nodes[0]).toMatchObject({
      aggregateId: ids[0],
      nearMiss: { id: ids[0] },
      payload: { category: 'medication', serviceId: 'north' },
    });
    expect(JSON.stringify(nodes)).not.toContain('levodopa');

    // Polling again from the last cursor gives nothing new, then only what came after.
    const empty = await t.graphql(eventsQuery, { after: cursor, first: 10 }, integration(tenant));
    expect(empty.data!.nearMissEvents).toEqual({ edges: [], pageInfo: { hasNextPage: false, endCursor: cursor } });
    await emit(t.app.database.dataSource, tenant, ids[1], 'near_miss.closed');
    const next = await waitFor('the new event', async () => {
      const all = await readAll(integration(tenant), 10, cursor);
      return all.nodes.length > 0 && all;
    });
    expect(next.nodes.map((node) => node.type)).toEqual(['near_miss.closed']);

    const theirs = await readAll(integration(other), 50);
    expect(theirs.nodes.map((node) => node.type)).toEqual(['near_miss.reported']);
  });

  it('shows callers limited to some services only the events of those services', async () => {
    const tenant = uniqueTenant('feed');
    await report(t, tenant);
    const south = await t.graphql(
      reportMutation,
      { input: medicationReport({ serviceId: 'south' }), key: newKey() },
      { ...reporter(tenant), services: ['south'] },
    );
    expect(south.errors).toBeUndefined();
    await waitFor('both events', async () => (await readAll(integration(tenant), 10)).nodes.length === 2);
    const northOnly = await readAll({ tenant, sub: 'manager-north', roles: ['MANAGER'], services: ['north'] }, 10);
    expect(northOnly.nodes.map((node) => node.payload.serviceId)).toEqual(['north']);
  });

  it('refuses callers without the right, bad cursors and page sizes', async () => {
    const tenant = uniqueTenant('feed');
    for (const roles of [['REPORTER'], ['ANALYST'], ['GOVERNANCE']] as const) {
      const result = await t.graphql(eventsQuery, {}, { tenant, roles: [...roles] });
      expect(result.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    }
    for (const [variables, field] of [
      [{ after: 'not-a-cursor' }, 'after'],
      [{ after: Buffer.from(JSON.stringify(['1', '99999999999999999999'])).toString('base64url') }, 'after'],
      [{ first: 500 }, 'first'],
      [{ first: -1 }, 'first'],
    ] as const) {
      const result = await t.graphql(eventsQuery, variables, integration(tenant));
      expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ path: field }] });
    }
  });

  serverOnly('never skips an event whose transaction commits after a later one', async () => {
    const tenant = uniqueTenant('feed');
    const dataSource = t.app.database.dataSource;
    await emit(dataSource, tenant, randomUUID(), 'near_miss.before');
    const { cursor } = await waitFor('the first event', async () => {
      const all = await readAll(integration(tenant), 10);
      return all.nodes.length === 1 && all;
    });
    const slow = dataSource.createQueryRunner();
    await slow.connect();
    try {
      await slow.startTransaction();
      await enqueueEvent(slow.manager, {
        tenantId: tenant,
        type: 'near_miss.slow',
        aggregateId: randomUUID(),
        payload: {},
      });
      await emit(dataSource, tenant, randomUUID(), 'near_miss.fast');
      // The fast event has the larger id and is committed; paging by id alone would hand out a
      // cursor past the slow one here and never show it.
      expect((await readAll(integration(tenant), 10, cursor)).nodes).toEqual([]);
      await slow.commitTransaction();
    } finally {
      if (slow.isTransactionActive) await slow.rollbackTransaction();
      await slow.release();
    }
    const after = await waitFor('both events', async () => {
      const all = await readAll(integration(tenant), 10, cursor);
      return all.nodes.length === 2 && all;
    });
    expect(after.nodes.map((node) => node.type)).toEqual(['near_miss.slow', 'near_miss.fast']);
  });
});

describe('webhook administration', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { WEBHOOK_ALLOW_INSECURE_URLS: 'false' }, resolveHost: fixedHosts });
  });
  afterAll(async () => t?.stop());

  it('lets only admins register, list and deactivate webhooks, and never shows the secret again', async () => {
    const tenant = uniqueTenant('admin');
    for (const roles of [['MANAGER'], ['INTEGRATION'], ['REPORTER']] as const) {
      const caller: Caller = { tenant, roles: [...roles] };
      expect(
        (await t.graphql(registerMutation, { url: 'https://hooks.example.org/x' }, caller)).errors?.[0].extensions
          ?.code,
      ).toBe('FORBIDDEN');
      expect((await t.graphql(webhooksQuery, {}, caller)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    }
    const registered = await registerWebhook(t, tenant, 'https://hooks.example.org/near-miss', [
      'near_miss.reported',
      'near_miss.reported',
    ]);
    expect(registered.signingSecret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(registered.webhook).toMatchObject({
      url: 'https://hooks.example.org/near-miss',
      eventTypes: ['near_miss.reported'],
      active: true,
      createdBy: { id: 'staff-admin' },
    });

    const listed = await t.graphql(webhooksQuery, {}, admin(tenant));
    expect(listed.data!.webhooks).toEqual([
      {
        id: registered.webhook.id,
        url: 'https://hooks.example.org/near-miss',
        eventTypes: ['near_miss.reported'],
        active: true,
        deliveries: [],
      },
    ]);
    expect(JSON.stringify(listed)).not.toContain(registered.signingSecret);
    expect((await t.graphql(webhooksQuery, {}, admin(uniqueTenant('admin')))).data!.webhooks).toEqual([]);
    // Another tenant's admin cannot deactivate it.
    expect(
      (await t.graphql(deactivateMutation, { id: registered.webhook.id }, admin(uniqueTenant('admin')))).errors?.[0]
        .extensions?.code,
    ).toBe('NOT_FOUND');
    expect((await t.graphql(deactivateMutation, { id: 'nope' }, admin(tenant))).errors?.[0].extensions?.code).toBe(
      'NOT_FOUND',
    );
    expect(
      (await t.graphql(deactivateMutation, { id: registered.webhook.id }, admin(tenant))).data!.deactivateWebhook
        .active,
    ).toBe(false);

    const audit = await sql(
      t.app.database.dataSource,
      `SELECT action, actor, detail FROM audit_event WHERE tenant_id = $1 ORDER BY seq`,
      [tenant],
    );
    expect(audit).toEqual([
      {
        action: 'webhook.registered',
        actor: 'staff-admin',
        detail: { webhookId: registered.webhook.id, host: 'hooks.example.org', eventTypes: ['near_miss.reported'] },
      },
      {
        action: 'webhook.deactivated',
        actor: 'staff-admin',
        detail: { webhookId: registered.webhook.id, active: { from: true, to: false }, pendingDeliveriesAbandoned: 0 },
      },
    ]);
  });

  it.each([
    ['not a URL', 'hooks.example.org/x', /absolute URL/],
    ['plain http in production settings', 'http://hooks.example.org/x', /https/],
    ['a loopback receiver', 'https://127.0.0.1:8443/x', /must not point at a loopback/],
    ['a private-network receiver', 'https://10.1.2.3/x', /must not point at a loopback/],
    ['credentials in the URL', 'https://user:pass@hooks.example.org/x', /credentials/],
    ['a name for this machine written with the root dot', 'https://localhost./x', /this machine/],
    ['a name with one of its addresses on loopback', 'https://split.example.org/x', /must not resolve to a loopback/],
    [
      'a name that resolves to the link-local metadata service',
      'https://metadata.example.org/x',
      /must not resolve to/,
    ],
    ['a name that does not resolve', 'https://nowhere.example.org/x', /does not resolve/],
  ])('refuses %s', async (_case, url, message) => {
    const tenant = uniqueTenant('admin');
    const result = await t.graphql(registerMutation, { url }, admin(tenant));
    expect(result.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [{ path: 'url', message: expect.stringMatching(message) }],
    });
    expect(
      await sql(t.app.database.dataSource, `SELECT id FROM webhook_subscription WHERE tenant_id = $1`, [tenant]),
    ).toEqual([]);
  });

  it('refuses malformed event types', async () => {
    const result = await t.graphql(
      registerMutation,
      { url: 'https://hooks.example.org/x', eventTypes: ['Near Miss!'] },
      admin(uniqueTenant('admin')),
    );
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ path: 'eventTypes.0' }] });
  });
});
