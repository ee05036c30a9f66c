export interface BackoffPolicy {
  /** Delay after the first failed attempt. */
  baseMs: number;
  /** No delay is longer than this. */
  maxMs: number;
}

/**
 * How long to wait after failed attempt number `attempt` (1-based):
 * exponential from baseMs, capped at maxMs, with "equal jitter" (between half
 * and all of it) so that receivers coming back are not hit by every replica
 * at the same instant.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(attempt, 1) - 1, 30);
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}
