import { z } from 'zod';
import type { FieldProblem } from '../common/errors';
import { text, toFieldProblems } from '../common/validation';
import {
  careSettings,
  potentialHarms,
  preventionReliabilities,
  reporterIdentities,
  workflowStages,
} from '../domain/vocabulary';
import { staffEmployments } from './workflow-context';

/** Reports may not claim a time in the future beyond this much clock skew. */
export const allowedClockSkewMs = 5 * 60 * 1000;
/** Late reports are welcome, within reason. */
export const oldestReportableMs = 2 * 366 * 24 * 60 * 60 * 1000;
/** The category's `details` as JSON, at most this many characters. */
export const maxDetailsLength = 20_000;

const optionalText = (max: number) =>
  z.preprocess((value) => (typeof value === 'string' && value.trim() === '' ? undefined : value), text(max).optional());
const hostId = text(100);
const list = <T extends z.ZodType>(item: T, max: number) => z.array(item).max(max, `may hold at most ${max} items`);

export const idempotencyKeySchema = z
  .string()
  .min(8, 'must be at least 8 characters')
  .max(200, 'must be at most 200 characters')
  .regex(/^[\x21-\x7e]+$/, 'may contain printable ASCII only, no spaces');

const maxShiftMs = 36 * 60 * 60 * 1000;

/**
 * The host's rota, MAR and care plan snapshot (see workflow-context.ts). Built
 * once: the rule that depends on the clock is in reportClockProblems.
 */
export const workflowContextSchema = z.preprocess(
  (value) => (value && typeof value === 'object' && !Array.isArray(value) ? withoutNulls(value) : value),
  z
    .object(
      {
        shiftStartsAt: z.date('must be a date-time').optional(),
        shiftEndsAt: z.date('must be a date-time').optional(),
        scheduledAt: z.date('must be a date-time').optional(),
        timeCriticalMedicine: z.boolean().optional(),
        carePlanLastReviewedAt: z.date('must be a date-time').optional(),
        carePlanReviewDueAt: z.date('must be a date-time').optional(),
        staffEmployment: z.enum(staffEmployments).optional(),
      },
      'must be an object',
    )
    .superRefine((context, issues) => {
      if (!context.shiftStartsAt !== !context.shiftEndsAt) {
        issues.addIssue({
          code: 'custom',
          path: [context.shiftStartsAt ? 'shiftEndsAt' : 'shiftStartsAt'],
          message: 'give the shift start and end together',
        });
      } else if (context.shiftStartsAt && context.shiftEndsAt) {
        const length = context.shiftEndsAt.getTime() - context.shiftStartsAt.getTime();
        if (length <= 0)
          issues.addIssue({ code: 'custom', path: ['shiftEndsAt'], message: 'must be after shiftStartsAt' });
        else if (length > maxShiftMs)
          issues.addIssue({ code: 'custom', path: ['shiftEndsAt'], message: 'a shift may last at most 36 hours' });
      }
    }),
);

/**
 * The core fields of a report (details are validated by the category
 * plugin), without the rules that depend on the clock. Built once: building
 * a zod schema costs far more than parsing with it.
 */
export const reportNearMissSchema = z
  .object({
    serviceId: hostId,
    category: text(64),
    occurredAt: z.date('must be a date-time'),
    detectedAt: z.date().optional(),
    setting: z.enum(careSettings),
    whatHappened: text(4000),
    howDetected: text(2000),
    whatPreventedHarm: text(2000),
    preventionReliability: z.enum(preventionReliabilities),
    immediateActions: list(text(500), 20),
    whatMadeThisPossible: optionalText(2000),
    contributingFactors: list(text(200), 20).default([]),
    workflowStage: z.enum(workflowStages).optional(),
    potentialHarm: z.enum(potentialHarms),
    personId: hostId.optional(),
    staffInvolvedIds: list(hostId, 50).default([]),
    visitId: hostId.optional(),
    medicationRecordId: hostId.optional(),
    shiftId: hostId.optional(),
    carePlanId: hostId.optional(),
    details: z.record(z.string(), z.unknown(), 'must be a JSON object'),
    workflowContext: workflowContextSchema.optional(),
    identity: z.enum(reporterIdentities).default('NAMED'),
  })
  .refine((input) => !input.detectedAt || input.detectedAt.getTime() >= input.occurredAt.getTime(), {
    path: ['detectedAt'],
    message: 'may not be before occurredAt',
  });

const isDate = (value: unknown): value is Date => value instanceof Date && !Number.isNaN(value.getTime());

/**
 * The rules that depend on the time of the request, on whichever of the
 * report's dates are dates (so they are named beside the schema's problems):
 * nothing in the future beyond the clock skew, no occurrence more than two
 * years ago.
 */
export function reportClockProblems(input: Record<string, unknown>, now: Date): FieldProblem[] {
  const latest = now.getTime() + allowedClockSkewMs;
  const problems: FieldProblem[] = [];
  const { occurredAt, detectedAt, workflowContext } = input;
  if (isDate(occurredAt) && occurredAt.getTime() > latest)
    problems.push({ path: 'occurredAt', message: 'may not be in the future' });
  if (isDate(occurredAt) && occurredAt.getTime() < now.getTime() - oldestReportableMs)
    problems.push({ path: 'occurredAt', message: 'is more than two years ago' });
  if (isDate(detectedAt) && detectedAt.getTime() > latest)
    problems.push({ path: 'detectedAt', message: 'may not be in the future' });
  const reviewed =
    workflowContext && typeof workflowContext === 'object'
      ? (workflowContext as Record<string, unknown>).carePlanLastReviewedAt
      : undefined;
  if (isDate(reviewed) && reviewed.getTime() > latest)
    problems.push({ path: 'workflowContext.carePlanLastReviewedAt', message: 'may not be in the future' });
  return problems;
}

/** A report's core fields parsed, and every problem with them (schema and clock) by field. */
export function parseReport(
  input: Record<string, unknown>,
  now: Date,
): { report?: ValidReport; problems: FieldProblem[] } {
  const parsed = reportNearMissSchema.safeParse(input);
  const problems = [...(parsed.success ? [] : toFieldProblems(parsed.error)), ...reportClockProblems(input, now)];
  return { report: parsed.success && !problems.length ? parsed.data : undefined, problems };
}

export type ValidReport = z.output<typeof reportNearMissSchema>;

/** Strips nulls that GraphQL passes for omitted optional fields. */
export const withoutNulls = (input: object): Record<string, unknown> =>
  Object.fromEntries(Object.entries(input).filter(([, value]) => value !== null && value !== undefined));
