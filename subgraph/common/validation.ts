import { z } from 'zod';
import { badUserInput, type FieldProblem } from './errors';

/** Required free text: trimmed, not blank, bounded. */
export const text = (max: number) => z.string().trim().min(1, 'may not be blank').max(max, `must be at most ${max} characters`);

/** An id as the database stores it (any case). */
export const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'is not a valid id');

/** zod issues as the contract's `extensions.fields`. */
export const toFieldProblems = (error: z.ZodError, prefix: (string | number)[] = []): FieldProblem[] =>
  error.issues.map((issue) => ({
    path: [...prefix, ...issue.path.map(String)].join('.'),
    message: issue.code === 'invalid_type' && / received undefined$/.test(issue.message) ? 'is required' : issue.message,
  }));

/** Parses or throws BAD_USER_INPUT naming every field that is wrong. */
export function validate<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw badUserInput(toFieldProblems(parsed.error));
  return parsed.data;
}
