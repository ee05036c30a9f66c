import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../common/logger';
import { isDatabaseUnavailable } from './database-faults';

/** The pause before start-up attempt `attempt + 1`: doubling from 250 ms, capped at `maxMs`. */
export const startupRetryDelay = (attempt: number, maxMs: number): number =>
  Math.min(maxMs, 250 * 2 ** Math.min(attempt - 1, 20));

/**
 * Runs `open` until the database answers: while it is unreachable (see
 * isDatabaseUnavailable) each failed attempt is logged as one JSON line and
 * retried after a growing pause; any other error (a wrong password, a failed
 * migration) ends the start at once. `signal` (SIGTERM during the start) stops
 * the waiting.
 */
export async function openWithRetry<T>(
  open: () => Promise<T>,
  options: { logger: Logger; maxDelayMs: number; signal?: AbortSignal },
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await open();
    } catch (error) {
      if (!isDatabaseUnavailable(error) || options.signal?.aborted) throw error;
      const retryInMs = startupRetryDelay(attempt, options.maxDelayMs);
      options.logger.warn('database not reachable; retrying', {
        attempt,
        retryInMs,
        error: (error as { code?: string }).code ?? (error instanceof Error ? error.message.slice(0, 120) : 'unknown'),
      });
      await sleep(retryInMs, undefined, { signal: options.signal });
    }
  }
}
