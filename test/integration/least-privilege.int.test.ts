import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { verifyAuditChains } from '../../subgraph/audit/audit-chain-verifier';
import { medicationReport, newKey, reportMutation } from '../support/reports';
import { startTestApp, uniqueTenant, type Caller, type TestApp } from '../support/test-app';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';

// The production setup of docs/security.md, on the PostgreSQL server: the
// schema owner migrates (DATABASE_MIGRATION_URL), and the service logs in as
// a role of its own that owns nothing, cannot bypass row-level security and
// inherits no privileges (NOINHERIT): it reaches rows only by switching to
// the application, dispatcher or auditor role. The embedded database has one
// login, a superuser, so there is nothing to test there.
const serverUrl = process.env.DATABASE_URL;
const describeOnServer = serverUrl ? describe : describe.skip;

const suffix = randomBytes(4).toString('hex');
const owner = `nm_owner_${suffix}`;
const service = `nm_service_${suffix}`;
const database = `nm_least_privilege_${suffix}`;
const urlAs = (login: string) => {
  const url = new URL(serverUrl ?? 'postgres://localhost/postgres');
  url.username = login;
  url.password = '';
  url.pathname = `/${database}`;
  return url.toString();
};

async function asSuperuser(sql: string): Promise<void> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const registerMutation = /* GraphQL */ `
  mutation Register($url: String!) {
    registerWebhook(url: $url) {
      signingSecret
    }
  }
`;

describeOnServer('the service on a login of its own (least privilege)', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  const [tenantA, tenantB] = [uniqueTenant('least-a'), uniqueTenant('least-b')];
  const reporter = (tenant: string): Caller => ({ tenant, sub: 'staff-7', roles: ['REPORTER'], services: ['north'] });

  beforeAll(async () => {
    await asSuperuser(`CREATE ROLE ${owner} LOGIN CREATEROLE`);
    await asSuperuser(`CREATE ROLE ${service} LOGIN NOINHERIT`);
    await asSuperuser(`CREATE DATABASE ${database} OWNER ${owner}`);
    receiver = await startWebhookReceiver();
    t = await startTestApp({
      database: { url: urlAs(service), migrationUrl: urlAs(owner) },
      env: { WEBHOOK_ALLOW_INSECURE_URLS: 'true' },
    });
  });

  afterAll(async () => {
    await t?.stop();
    await receiver?.close();
    await asSuperuser(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    for (const login of [service, owner]) {
      await asSuperuser(`DO $$ BEGIN
        IF EXISTS (SELECT FROM pg_roles WHERE rolname = '${login}') THEN
          EXECUTE 'REASSIGN OWNED BY ${login} TO CURRENT_USER';
          EXECUTE 'DROP OWNED BY ${login}';
          EXECUTE 'DROP ROLE ${login}';
        END IF;
      END $$`);
    }
  });

  it('runs as a login that is neither superuser nor able to bypass row-level security, without a manual grant', async () => {
    const [login] = await t.app.database.dataSource.query<{ usename: string; superuser: boolean; bypass: boolean }[]>(
      `SELECT current_user AS usename, rolsuper AS superuser, rolbypassrls AS bypass FROM pg_roles WHERE rolname = current_user`,
    );
    expect(login).toEqual({ usename: service, superuser: false, bypass: false });
    expect((await fetch(t.url.replace('/graphql', '/readyz'))).status).toBe(200);
  });

  it("reports through it, and RESET ROLE in a request's transaction still reads no other tenant", async () => {
    for (const tenant of [tenantA, tenantB]) {
      const result = await t.graphql(reportMutation, { input: medicationReport(), key: newKey() }, reporter(tenant));
      expect(result.errors).toBeUndefined();
    }
    const client = new Client({ connectionString: urlAs(service) });
    await client.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SELECT set_config('app.tenant_id', $1, true), set_config('role', 'near_miss_app', true)`, [
        tenantA,
      ]);
      const asApplication = await client.query<{ tenant_id: string }>('SELECT DISTINCT tenant_id FROM near_miss');
      expect(asApplication.rows).toEqual([{ tenant_id: tenantA }]);
      await client.query('RESET ROLE');
      // Back to the login, which reaches no table by itself.
      await expect(client.query('SELECT tenant_id FROM near_miss')).rejects.toThrow(/permission denied/);
      await client.query('ROLLBACK');
    } finally {
      await client.end();
    }
  });

  it('delivers webhooks of every tenant as the dispatcher role', async () => {
    const admin: Caller = { tenant: tenantA, roles: ['ADMIN'] };
    const registered = await t.graphql(registerMutation, { url: receiver.url }, admin);
    expect(registered.errors).toBeUndefined();
    const result = await t.graphql(reportMutation, { input: medicationReport(), key: newKey() }, reporter(tenantA));
    expect(result.errors).toBeUndefined();
    let delivered = 0;
    for (let attempt = 0; attempt < 20 && delivered === 0; attempt += 1) {
      delivered += (await t.app.webhookDispatcher.dispatchOnce()).delivered;
      if (delivered === 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(delivered).toBeGreaterThan(0);
    expect(receiver.accepted().length).toBeGreaterThan(0);
  });

  it('verifies the audit chains of every tenant as the auditor role', async () => {
    const report = await verifyAuditChains(t.app.database.dataSource);
    expect(report.ok).toBe(true);
    expect(report.tenants).toBeGreaterThanOrEqual(2);
    expect(report.rows).toBeGreaterThan(0);
  });

  it('refuses to call a trail it cannot read intact', async () => {
    const client = new Client({ connectionString: urlAs(owner) });
    await client.connect();
    try {
      await client.query(`REVOKE near_miss_auditor FROM ${service}`);
      await expect(verifyAuditChains(t.app.database.dataSource)).rejects.toThrow(/permission denied|cannot read/);
    } finally {
      await client.query(`GRANT near_miss_auditor TO ${service}`);
      await client.end();
    }
  });
});
