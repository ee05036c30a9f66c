import { harmAtLeast, type PotentialHarmValue, type TriageRouteValue } from '../domain/vocabulary';
import { isOpenAction, type ActionStatusValue, type ActionStrengthValue } from './action-rules';

export interface ClosureFacts {
  route: TriageRouteValue | null;
  actions: readonly { status: ActionStatusValue; effective: boolean | null; title: string }[];
  noActionReason: string | null;
  /** The closer may close before verification concludes (managers), giving the outcome as the reason. */
  mayCloseBeforeVerification: boolean;
}

/** What decides whether weaker actions alone may close a near miss. */
export interface ControlFacts {
  potentialHarm: PotentialHarmValue;
  /** The near miss is in a risk review the repeat trigger opened. */
  inRiskReview: boolean;
  actions: readonly { status: ActionStatusValue; effective: boolean | null; strength: ActionStrengthValue }[];
}

/**
 * Why this near miss needs more than weaker actions (training, reminders, a
 * new policy): severe potential harm, a repeat pattern, or an action already
 * found not effective. Empty when weaker actions may do.
 */
export function strongerControlReasons(facts: ControlFacts): string[] {
  return [
    ...(harmAtLeast(facts.potentialHarm, 'SEVERE') ? ['its potential harm is severe'] : []),
    ...(facts.inRiskReview ? ['it is part of a repeat pattern under risk review'] : []),
    ...(facts.actions.some((action) => action.effective === false) ? ['an action was found not effective'] : []),
  ];
}

/**
 * Refuses to close on weaker actions alone when a stronger control is needed
 * (a manager may override with a reason). Null when closure may go ahead.
 */
export function weakOnlyClosureBlocker(facts: ControlFacts): string | null {
  const done = facts.actions.filter((action) => action.status === 'DONE');
  if (!done.length || done.some((action) => action.strength !== 'WEAKER')) return null;
  const reasons = strongerControlReasons(facts);
  if (!reasons.length) return null;
  return `Only weaker actions (training, reminders, policy) are done, but ${reasons.join(', ')}: add an intermediate or stronger control, or a manager may close it giving weakOnlyOverrideReason.`;
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
