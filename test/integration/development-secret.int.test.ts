import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp } from '../../subgraph/app';
import { useDevelopmentSecret } from '../../subgraph/auth/development-secret';
import { signToken } from '../../subgraph/auth/jwt';
import { Role } from '../../subgraph/auth/role';
import { createLogger } from '../../subgraph/common/logger';
import { deriveWebhookSecretKey, loadConfig } from '../../subgraph/config';
import { medicationReport, newKey, reportMutation } from '../support/reports';
import { uniqueTenant } from '../support/test-app';

// Boots as main.ts does (environment, then the development secret from
// DATA_DIR, then the app), always on the embedded database in DATA_DIR: what
// must survive a restart here is kept in that folder.
const tenant = uniqueTenant('restart');
let dataDir: string;
beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'near-miss-boot-'));
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const environment = (extra: Record<string, string> = {}) => ({
  NODE_ENV: 'development',
  PORT: '0',
  DATA_DIR: dataDir,
  LOG_LEVEL: 'silent',
  WEBHOOK_DISPATCH_ENABLED: 'false',
  ...extra,
});

async function boot(extra: Record<string, string> = {}) {
  const config = loadConfig(environment(extra));
  useDevelopmentSecret(config);
  const app = await startApp(config, { logger: createLogger('silent') });
  const graphql = async (query: string, variables: Record<string, unknown>, roles: Role[], sub: string) => {
    const token = await signToken(config.auth.jwtSecret, { sub, tenant, roles, services: ['*'] });
    const response = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: any; errors?: unknown[] };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  };
  /** The pseudonyms an ANALYST sees for the tenant's near misses. */
  const pseudonyms = async (): Promise<string[]> =>
    (
      await graphql(
        `
          {
            nearMisses(first: 10) {
              edges {
                node {
                  person {
                    id
                  }
                }
              }
            }
          }
        `,
        {},
        [Role.ANALYST],
        'analyst-1',
      )
    ).nearMisses.edges.map((edge: { node: { person: { id: string } } }) => edge.node.person.id);
  return { config, app, graphql, pseudonyms };
}

describe('a restart on the same DATA_DIR without AUTH_JWT_SECRET', () => {
  // Two boots that create and then reopen a database on disk: slower than the other suites' in-memory ones.
  it('keeps the development secret and the pseudonyms', async () => {
    const first = await boot();
    let before: string[];
    try {
      await first.graphql(
        reportMutation,
        { input: medicationReport({ personId: 'person-1' }), key: newKey() },
        [Role.REPORTER],
        'staff-7',
      );
      before = await first.pseudonyms();
    } finally {
      await first.app.stop();
    }
    expect(before).toHaveLength(1);
    expect(before[0]).toMatch(/^psn_/);

    const second = await boot();
    try {
      expect(second.config.auth.jwtSecret).toBe(first.config.auth.jwtSecret);
      expect(await second.pseudonyms()).toEqual(before);
      // The webhook secrets sealed before the restart still open.
      expect(second.config.webhooks.secretKey.equals(first.config.webhooks.secretKey)).toBe(true);
      expect(second.config.webhooks.secretKey.equals(deriveWebhookSecretKey(second.config.auth.jwtSecret))).toBe(true);
    } finally {
      await second.app.stop();
    }
  }, 180_000);

  it('leaves a configured PSEUDONYMISATION_SECRET as it is', () => {
    const pseudonymisationSecret = 'p'.repeat(32);
    const config = loadConfig(environment({ PSEUDONYMISATION_SECRET: pseudonymisationSecret }));
    useDevelopmentSecret(config);
    expect(config.pseudonymisationSecret).toBe(pseudonymisationSecret);
  });

  it('leaves a configured WEBHOOK_SECRET_KEY as it is', () => {
    const key = 'ab'.repeat(32);
    const config = loadConfig(environment({ WEBHOOK_SECRET_KEY: key }));
    useDevelopmentSecret(config);
    expect(config.webhooks.secretKey.toString('hex')).toBe(key);
  });
});
