/**
 * Helpers for testing a category: build the facts its rules and gates see
 * from plain details, the way the core does when a report arrives, and read
 * back what the core would suggest.
 * @packageDocumentation
 */
import type { z } from 'zod';
import { parseDetails } from '../../subgraph/categories/details-conditions';
import { applicableGates } from '../../subgraph/gates/applicable-gates';
import { suggestTriage, type TriageSuggestion } from '../../subgraph/triage/triage-suggestion';
import type { CategoryDefinition, DetailsSchema, ReportFacts } from './index';

/** Core fields of a test report; override any of them per case. */
export type CoreFacts = Omit<ReportFacts, 'category' | 'details'>;

/**
 * A quiet report: moderate potential harm caught by individual vigilance, so
 * the core's own rules (severe harm, stopped by chance) stay out of the way
 * unless a test sets them.
 */
export const quietCoreFacts: CoreFacts = {
  serviceId: 'north',
  setting: 'SUPPORTED_LIVING',
  potentialHarm: 'MODERATE',
  preventionReliability: 'INDIVIDUAL_VIGILANCE',
  contributingFactors: [],
  personId: 'person-1',
  occurredAt: new Date('2026-03-02T12:30:00Z'),
};

/**
 * The facts a category's rules see for `details`, parsed through its schema
 * and its conditions, as the core does (so defaults apply). Throws with the problems when the details are invalid,
 * so a test case cannot silently exercise a report the core would refuse.
 */
export function reportFacts<Schema extends DetailsSchema>(
  category: CategoryDefinition<Schema>,
  details: z.input<Schema>,
  core: Partial<CoreFacts> = {},
): ReportFacts<z.output<Schema>> {
  const parsed = parseDetails(asRegistered(category), details);
  if (!parsed.success) {
    throw new Error(
      `test details are not valid ${category.key} details: ${parsed.problems.map((problem) => `${problem.path}: ${problem.message}`).join(', ')}`,
    );
  }
  return { ...quietCoreFacts, ...core, category: category.key, details: parsed.details as z.output<Schema> };
}

/**
 * Widens a typed definition to the shape the registry and the core's triage
 * and gate functions take (the details type is enforced by the schema at run time).
 */
export const asRegistered = <Schema extends DetailsSchema>(category: CategoryDefinition<Schema>): CategoryDefinition =>
  category;

/** What the core's triage suggests for a report with these details (core rules included), `notify` sorted. */
export function triageFor<Schema extends DetailsSchema>(
  category: CategoryDefinition<Schema>,
  details: z.input<Schema>,
  core: Partial<CoreFacts> = {},
): TriageSuggestion {
  const suggestion = suggestTriage(asRegistered(category), reportFacts(category, details, core));
  return { ...suggestion, notify: [...suggestion.notify].sort() };
}

/** Keys of the "cannot proceed without" items that apply to a report with these details, in declared order. */
export function gatesFor<Schema extends DetailsSchema>(
  category: CategoryDefinition<Schema>,
  details: z.input<Schema>,
  core: Partial<CoreFacts> = {},
): string[] {
  return applicableGates(asRegistered(category), reportFacts(category, details, core)).map((gate) => gate.key);
}
