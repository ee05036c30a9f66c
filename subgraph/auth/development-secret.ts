import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { derivePseudonymisationSecret, deriveWebhookSecretKey, type Config } from '../config';

/**
 * Outside production a missing AUTH_JWT_SECRET falls back to a generated one,
 * kept in DATA_DIR/dev-jwt-secret so that `npm run token` and `npm start`, and
 * one start and the next, agree on it. Without PSEUDONYMISATION_SECRET the
 * pseudonyms' key is derived from it here, once it is settled, so pseudonyms
 * survive a restart; so is the webhook secrets' key without WEBHOOK_SECRET_KEY. Returns a warning to print, or undefined when a secret
 * was configured.
 */
export function useDevelopmentSecret(config: Config): string | undefined {
  if (!config.auth.jwtSecretGenerated || config.nodeEnv === 'production') return undefined;
  const file = join(config.dataDir, 'dev-jwt-secret');
  if (existsSync(file)) {
    config.auth.jwtSecret = readFileSync(file, 'utf8').trim();
  } else {
    mkdirSync(config.dataDir, { recursive: true });
    writeFileSync(file, config.auth.jwtSecret, { mode: 0o600 });
  }
  if (config.pseudonymisationSecretDerived)
    config.pseudonymisationSecret = derivePseudonymisationSecret(config.auth.jwtSecret);
  if (config.webhooks.secretKeyDerived) config.webhooks.secretKey = deriveWebhookSecretKey(config.auth.jwtSecret);
  return `AUTH_JWT_SECRET is not set: using a generated development secret kept in ${file} (npm run token signs with it). Never do this in production.`;
}
