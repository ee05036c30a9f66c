import type { CategoryDefinition } from '../../plugins/sdk';
import { parseDetails, type DetailsParse } from '../categories/details-conditions';
import { inputHygieneProblems } from '../common/input-hygiene';
import { maxDetailsLength } from './report-near-miss.schema';

/**
 * A report's `details` as the server accepts them, on capture and on amendment:
 * text PostgreSQL can store, at most `maxDetailsLength` characters of JSON, then
 * the category's schema and conditions. Problem paths start with `details`.
 */
export function validateDetails(definition: CategoryDefinition, raw: unknown): DetailsParse {
  const unsafe = inputHygieneProblems(raw, ['details']);
  if (unsafe.length) return { success: false, problems: unsafe };
  const serialised = JSON.stringify(raw) ?? '';
  if (serialised.length > maxDetailsLength)
    return {
      success: false,
      problems: [{ path: 'details', message: `must be at most ${maxDetailsLength} characters of JSON` }],
    };
  return parseDetails(definition, raw, ['details']);
}
