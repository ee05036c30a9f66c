import type { FieldProblem } from '../common/errors';

export const actionStrengths = ['STRONGER', 'INTERMEDIATE', 'WEAKER'] as const;
export type ActionStrengthValue = (typeof actionStrengths)[number];

export const actionStatuses = ['OPEN', 'IN_PROGRESS', 'DONE', 'CANCELLED'] as const;
export type ActionStatusValue = (typeof actionStatuses)[number];

/** The hierarchy of action effectiveness: what kind of control an action is decides its strength. */
export const strengthOfType = {
  FORCING_FUNCTION: 'STRONGER',
  REDESIGN: 'STRONGER',
  STANDARDISATION: 'STRONGER',
  SIMPLIFICATION: 'STRONGER',
  CHECKLIST: 'INTERMEDIATE',
  COGNITIVE_AID: 'INTERMEDIATE',
  STAFFING_CHANGE: 'INTERMEDIATE',
  SOFTWARE_PROMPT: 'INTERMEDIATE',
  REDUNDANCY: 'INTERMEDIATE',
  TRAINING: 'WEAKER',
  REMINDER: 'WEAKER',
  NEW_POLICY: 'WEAKER',
  DOUBLE_CHECK: 'WEAKER',
  WARNING: 'WEAKER',
} as const satisfies Record<string, ActionStrengthValue>;

export type ActionTypeValue = keyof typeof strengthOfType;
export const actionTypes = Object.keys(strengthOfType) as ActionTypeValue[];

/** The strength to record: implied by the type when one is given, and a contradiction is an input error. */
export function resolveStrength(
  type: ActionTypeValue | undefined,
  strength: ActionStrengthValue | undefined,
): { strength?: ActionStrengthValue; problems: FieldProblem[] } {
  if (type) {
    const implied = strengthOfType[type];
    if (strength && strength !== implied) {
      return { problems: [{ path: 'strength', message: `a ${type} action is ${implied}, not ${strength}` }] };
    }
    return { strength: implied, problems: [] };
  }
  if (!strength) return { problems: [{ path: 'strength', message: 'is required (or give actionType)' }] };
  return { strength, problems: [] };
}

/** A plan made only of weaker actions (training, reminders, policies) leaves the control unchanged. */
export function isWeakOnly(actions: readonly { strength: ActionStrengthValue; status: ActionStatusValue }[]): boolean {
  const live = actions.filter((action) => action.status !== 'CANCELLED');
  return live.length > 0 && live.every((action) => action.strength === 'WEAKER');
}

/**
 * Evidence must cover every required item. An entry may name its item
 * ("MAR audit: AUD-42"); items no entry names are matched, in order, with
 * entries that name none.
 */
export function missingEvidence(required: readonly string[], evidence: readonly string[]): string[] {
  const entries = evidence.map((entry) => entry.trim()).filter(Boolean);
  const unnamed = new Set(entries);
  const unmatched: string[] = [];
  for (const item of required) {
    const named = entries.find((entry) => entry.toLowerCase().includes(item.trim().toLowerCase()));
    if (named) unnamed.delete(named);
    else unmatched.push(item);
  }
  const spare = [...unnamed];
  return unmatched.slice(spare.length);
}

export const isOpenAction = (status: ActionStatusValue) => status === 'OPEN' || status === 'IN_PROGRESS';

/** A plan is not effective once any live action is found not effective; effective when every done action is; otherwise undecided. */
export function planEffectiveness(
  actions: readonly { status: ActionStatusValue; effective: boolean | null }[],
): boolean | null {
  const live = actions.filter((action) => action.status !== 'CANCELLED');
  if (live.some((action) => action.effective === false)) return false;
  const done = live.filter((action) => action.status === 'DONE');
  if (done.length === 0 || done.length < live.length || done.some((action) => action.effective === null)) return null;
  return true;
}
