import type { TriageRouteValue } from '../domain/vocabulary';
import { isOpenAction, type ActionStatusValue } from './action-rules';

export interface ClosureFacts {
  route: TriageRouteValue | null;
  actions: readonly { status: ActionStatusValue; effective: boolean | null; title: string }[];
  noActionReason: string | null;
  /** The closer may close before verification concludes (managers), giving the outcome as the reason. */
  mayCloseBeforeVerification: boolean;
}

/**
 * What stops a near miss closing once its gates are done (gates are checked
 * first, by the caller): open actions, an operational fix with no action and
 * no recorded reason, or verification still running.
 */
export function closureBlocker(facts: ClosureFacts): string | null {
  const open = facts.actions.filter((action) => isOpenAction(action.status));
  if (open.length)
    return `Corrective actions are still open: ${open.map((action) => action.title).join('; ')}. Complete or cancel them first.`;
  const done = facts.actions.filter((action) => action.status === 'DONE');
  if (facts.route === 'OPERATIONAL_FIX' && done.length === 0 && !facts.noActionReason) {
    return 'An operational fix needs at least one completed corrective action, or a recorded reason why none is needed.';
  }
  const unverified = done.filter((action) => action.effective === null);
  if (unverified.length && !facts.mayCloseBeforeVerification) {
    return `Verification has not concluded for: ${unverified.map((action) => action.title).join('; ')}. A manager may close it earlier, giving the reason in the outcome.`;
  }
  const ineffective = done.filter((action) => action.effective === false);
  if (ineffective.length && !facts.mayCloseBeforeVerification) {
    return `Actions were found not effective: ${ineffective.map((action) => action.title).join('; ')}. Add a stronger action, or a manager may close it giving the reason.`;
  }
  return null;
}

/** Whether a near miss in ACTIONS_IN_PROGRESS is ready to move to VERIFYING. */
export function readyForVerification(actions: readonly { status: ActionStatusValue }[], gatesDone: boolean): boolean {
  return (
    gatesDone &&
    actions.length > 0 &&
    actions.every((action) => !isOpenAction(action.status)) &&
    actions.some((action) => action.status === 'DONE')
  );
}
