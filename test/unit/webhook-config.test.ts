import { ConfigError, loadConfig } from '../../subgraph/config';

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
    });
    const production = loadConfig({ NODE_ENV: 'production', AUTH_JWT_SECRET: 'x'.repeat(32) }).webhooks;
    expect(production.allowInsecureUrls).toBe(false);
    expect(
      loadConfig({ NODE_ENV: 'production', AUTH_JWT_SECRET: 'x'.repeat(32), WEBHOOK_ALLOW_INSECURE_URLS: 'true' })
        .webhooks.allowInsecureUrls,
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
