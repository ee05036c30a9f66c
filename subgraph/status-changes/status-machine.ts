import { roleMatrix } from '../auth/role-matrix';
import type { Role } from '../auth/role';
import type { NearMissStatusValue } from '../domain/vocabulary';

export type LifecycleAction = 'acknowledge' | 'triage' | 'startActions' | 'startVerification' | 'close' | 'reopen';

interface TransitionRule {
  from: readonly NearMissStatusValue[];
  to: NearMissStatusValue;
  roles: readonly Role[];
}

/**
 * The learning loop as a table: REPORTED → ACKNOWLEDGED → TRIAGED →
 * ACTIONS_IN_PROGRESS → VERIFYING → CLOSED, and CLOSED → REOPENED → TRIAGED.
 * A triaged report that needs no action may close straight away (with its
 * gates done and a reason); a failed verification reopens from VERIFYING.
 */
export const transitions: Record<LifecycleAction, TransitionRule> = {
  acknowledge: { from: ['REPORTED'], to: 'ACKNOWLEDGED', roles: roleMatrix['nearMiss.acknowledge'] },
  triage: { from: ['ACKNOWLEDGED', 'REOPENED'], to: 'TRIAGED', roles: roleMatrix['nearMiss.triage'] },
  startActions: {
    from: ['TRIAGED', 'VERIFYING'],
    to: 'ACTIONS_IN_PROGRESS',
    roles: roleMatrix['nearMiss.startActions'],
  },
  startVerification: {
    from: ['ACTIONS_IN_PROGRESS', 'TRIAGED'],
    to: 'VERIFYING',
    roles: roleMatrix['nearMiss.startVerification'],
  },
  close: { from: ['TRIAGED', 'ACTIONS_IN_PROGRESS', 'VERIFYING'], to: 'CLOSED', roles: roleMatrix['nearMiss.close'] },
  reopen: { from: ['CLOSED', 'VERIFYING'], to: 'REOPENED', roles: roleMatrix['nearMiss.reopen'] },
};

export type TransitionDecision =
  { allowed: true; to: NearMissStatusValue } | { allowed: false; reason: 'FORBIDDEN' | 'ILLEGAL'; message: string };

/** Whether `roles` may apply `action` to a near miss in `current` status. */
export function decideTransition(
  current: NearMissStatusValue,
  action: LifecycleAction,
  roles: readonly Role[],
): TransitionDecision {
  const rule = transitions[action];
  if (!roles.some((role) => rule.roles.includes(role))) {
    return {
      allowed: false,
      reason: 'FORBIDDEN',
      message: `Your roles (${roles.join(', ') || 'none'}) may not ${describe(action)} a near miss`,
    };
  }
  if (!rule.from.includes(current)) {
    return {
      allowed: false,
      reason: 'ILLEGAL',
      message: `Cannot ${describe(action)} a near miss whose status is ${current}; allowed from ${rule.from.join(' or ')}`,
    };
  }
  return { allowed: true, to: rule.to };
}

const describe = (action: LifecycleAction) =>
  ({
    acknowledge: 'acknowledge',
    triage: 'triage',
    startActions: 'start actions on',
    startVerification: 'start verifying',
    close: 'close',
    reopen: 'reopen',
  })[action];
