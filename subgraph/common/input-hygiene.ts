import type { FieldProblem } from './errors';

/** Deeper input than this is refused: category details are flat, a few levels at most. */
export const maxInputDepth = 32;
const maxProblems = 20;

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const unpairedSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why PostgreSQL could not store this text (NUL, unpaired surrogate), or undefined. */
export function textProblem(text: string): string | undefined {
  if (text.includes('\u0000')) return 'may not contain NUL characters';
  if (unpairedSurrogate.test(text)) return 'is not valid Unicode (unpaired surrogate)';
  return undefined;
}

/**
 * What no zod schema catches but would otherwise fail deep inside: text that
 * PostgreSQL cannot store (NUL characters; unpaired UTF-16 surrogates, which
 * jsonb refuses) in values or keys, and nesting deeper than `maxDepth`, which
 * would overflow the stack of JSON.stringify or hashing. It walks iteratively,
 * so even a 100,000-level input is checked without recursion. Run it on raw
 * mutation input before validating; the problems are `BAD_USER_INPUT` fields.
 */
export function inputHygieneProblems(input: unknown, prefix: string[] = [], maxDepth = maxInputDepth): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const pending: { value: unknown; path: string[] }[] = [{ value: input, path: prefix }];
  while (pending.length && problems.length < maxProblems) {
    const { value, path } = pending.pop()!;
    const at = path.join('.') || 'input';
    if (typeof value === 'string') {
      const problem = textProblem(value);
      if (problem) problems.push({ path: at, message: problem });
      continue;
    }
    if (value === null || typeof value !== 'object' || value instanceof Date) continue;
    if (path.length - prefix.length >= maxDepth) {
      problems.push({ path: at, message: `is nested more than ${maxDepth} levels deep` });
      continue;
    }
    for (const [key, child] of Object.entries(value)) {
      const keyProblem = textProblem(key);
      if (keyProblem) {
        problems.push({ path: at, message: `has a key that ${keyProblem}` });
        continue;
      }
      pending.push({ value: child, path: [...path, key] });
    }
  }
  return problems;
}
