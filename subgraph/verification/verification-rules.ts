export const verificationResults = ['PASS', 'PARTIAL', 'FAIL'] as const;
export type VerificationResultValue = (typeof verificationResults)[number];

const day = 24 * 60 * 60 * 1000;

/** Due dates of a series: first, then every `everyDays`, `count` times. */
export function seriesDueDates(firstDueAt: Date, everyDays: number, count: number): Date[] {
  return Array.from({ length: count }, (_, index) => new Date(firstDueAt.getTime() + index * everyDays * day));
}

export interface CheckOutcome {
  result: VerificationResultValue | null;
}

export interface Effectiveness {
  /** null until concluded. */
  effective: boolean | null;
  reason: string | null;
}

/**
 * An action is effective when every check passed and no similar near miss
 * recurred in its monitoring window; not effective as soon as a check fails
 * or one recurs; undecided until then. A partial check concludes "not
 * effective" once the series is complete, without reopening anything.
 */
export function effectivenessOf(checks: readonly CheckOutcome[], recurred: boolean): Effectiveness {
  if (recurred) return { effective: false, reason: 'A similar near miss recurred during the monitoring window' };
  if (checks.some((check) => check.result === 'FAIL'))
    return { effective: false, reason: 'A verification check failed' };
  if (checks.length === 0 || checks.some((check) => check.result === null)) return { effective: null, reason: null };
  if (checks.some((check) => check.result === 'PARTIAL'))
    return { effective: false, reason: 'Some verification checks passed only partly' };
  return { effective: true, reason: `All ${checks.length} verification checks passed` };
}

/** The monitoring window of an action: from completion for `monitoringDays`. */
export const monitoringUntil = (completedAt: Date, monitoringDays: number) =>
  new Date(completedAt.getTime() + monitoringDays * day);
