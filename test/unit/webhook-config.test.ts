import { ConfigError, deriveWebhookSecretKey, loadConfig } from '../../subgraph/config';

const key = Buffer.from(Array.from({ length: 32 }, (_, index) => index * 7));
const hexKey = key.toString('hex');

describe('webhook configuration', () => {
  it('has working defaults: dispatching on, https-only receivers in production', () => {
    expect(loadConfig({ NODE_ENV: 'development' }).webhooks).toEqual({
      dispatchEnabled: true,
      dispatchIntervalMs: 1000,
      batchSize: 20,
      maxAttempts: 12,
      backoffBaseMs: 10_000,
      backoffMaxMs: 21_600_000,
      timeoutMs: 10_000,
      allowInsecureUrls: true,
      secretKey: expect.any(Buffer),
      secretKeyDerived: true,
    });
    const production = loadConfig({
      NODE_ENV: 'production',
      AUTH_JWT_SECRET: 'x'.repeat(32),
      WEBHOOK_SECRET_KEY: hexKey,
    }).webhooks;
    expect(production.allowInsecureUrls).toBe(false);
    expect(
      loadConfig({
        NODE_ENV: 'production',
        AUTH_JWT_SECRET: 'x'.repeat(32),
        WEBHOOK_SECRET_KEY: hexKey,
        WEBHOOK_ALLOW_INSECURE_URLS: 'true',
      }).webhooks.allowInsecureUrls,
    ).toBe(true);
    expect(loadConfig({ WEBHOOK_DISPATCH_ENABLED: 'false', WEBHOOK_MAX_ATTEMPTS: '3' }).webhooks).toMatchObject({
      dispatchEnabled: false,
      maxAttempts: 3,
    });
  });

  it('lists every bad webhook setting at once', () => {
    let error: unknown;
    try {
      loadConfig({ WEBHOOK_DISPATCH_ENABLED: 'yes', WEBHOOK_MAX_ATTEMPTS: '0', WEBHOOK_TIMEOUT_MS: 'soon' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((problem) => problem.split(':')[0])).toEqual([
      'WEBHOOK_DISPATCH_ENABLED',
      'WEBHOOK_MAX_ATTEMPTS',
      'WEBHOOK_TIMEOUT_MS',
    ]);
  });

  it('refuses a backoff cap below its base', () => {
    expect(() => loadConfig({ WEBHOOK_BACKOFF_BASE_MS: '5000', WEBHOOK_BACKOFF_MAX_MS: '1000' })).toThrow(
      /WEBHOOK_BACKOFF_MAX_MS: must be at least WEBHOOK_BACKOFF_BASE_MS/,
    );
  });
});

describe('WEBHOOK_SECRET_KEY', () => {
  it.each([
    ['64 hex characters', hexKey],
    ['base64', key.toString('base64')],
    ['base64url', key.toString('base64url')],
  ])('reads 32 bytes given as %s', (_case, value) => {
    const { webhooks } = loadConfig({ WEBHOOK_SECRET_KEY: value });
    expect(webhooks.secretKey.equals(key)).toBe(true);
    expect(webhooks.secretKeyDerived).toBe(false);
  });

  it.each([
    ['too short', 'abcd'],
    ['31 bytes', key.subarray(1).toString('base64')],
    ['33 bytes', Buffer.concat([key, key.subarray(0, 1)]).toString('hex')],
    ['not base64', '!'.repeat(44)],
  ])('refuses a key that is %s', (_case, value) => {
    expect(() => loadConfig({ WEBHOOK_SECRET_KEY: value })).toThrow(/WEBHOOK_SECRET_KEY: must be 32 bytes/);
  });

  it('is required in production, beside the JWT secret (never derived from it there)', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', AUTH_JWT_SECRET: 'x'.repeat(32) })).toThrow(
      /WEBHOOK_SECRET_KEY: is required in production/,
    );
  });

  it('outside production follows the JWT secret when unset, so sealed secrets open after a restart', () => {
    const environment = { NODE_ENV: 'development', AUTH_JWT_SECRET: 'y'.repeat(32) };
    const { webhooks } = loadConfig(environment);
    expect(webhooks.secretKeyDerived).toBe(true);
    expect(webhooks.secretKey.equals(deriveWebhookSecretKey('y'.repeat(32)))).toBe(true);
    expect(webhooks.secretKey.equals(loadConfig(environment).webhooks.secretKey)).toBe(true);
    expect(webhooks.secretKey).toHaveLength(32);
  });
});
