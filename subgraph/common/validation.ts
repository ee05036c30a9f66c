import { z } from 'zod';
import { badUserInput, type FieldProblem } from './errors';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a value is a UUID (the ids this subgraph gives its rows). */
export const isUuid = (value: string) => uuidPattern.test(value);

/** An id of one of this subgraph's rows. */
export const uuid = (message = 'is not a valid id') => z.string().regex(uuidPattern, message);

/** Required free text: trimmed, not blank, bounded. */
export const text = (max: number) =>
  z.string().trim().min(1, 'may not be blank').max(max, `must be at most ${max} characters`);

/** zod issues as the contract's `extensions.fields`. */
export const toFieldProblems = (error: z.ZodError, prefix: (string | number)[] = []): FieldProblem[] =>
  error.issues.map((issue) => ({
    path: [...prefix, ...issue.path.map(String)].join('.'),
    message:
      issue.code === 'invalid_type' && / received undefined$/.test(issue.message) ? 'is required' : issue.message,
  }));

/** Parses or throws BAD_USER_INPUT naming every field that is wrong. */
export function validate<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw badUserInput(toFieldProblems(parsed.error));
  return parsed.data;
}
