import type { FieldProblem } from '../common/errors';

const noFurtherAction = /^\s*no\s+further\s+action\b[\s,.:;—–-]*(because\b)?/i;
const minimumReasonLength = 15;

/**
 * An outcome must say what changed; "no further action" is accepted only with
 * a written reason ("No further action, because ...").
 */
export function outcomeProblems(outcome: string): FieldProblem[] {
  const trimmed = outcome.trim();
  if (!trimmed) return [{ path: 'outcome', message: 'may not be blank: say what changed, or why nothing needs to' }];
  if (trimmed.length > 4000) return [{ path: 'outcome', message: 'must be at most 4000 characters' }];
  const match = noFurtherAction.exec(trimmed);
  if (match && trimmed.slice(match[0].length).trim().length < minimumReasonLength) {
    return [
      { path: 'outcome', message: '"No further action" needs a written reason, e.g. "No further action, because ..."' },
    ];
  }
  return [];
}

/** Gate keys that are required but not yet done. */
export const missingGateItems = (required: readonly string[], done: ReadonlySet<string>) =>
  required.filter((key) => !done.has(key));
