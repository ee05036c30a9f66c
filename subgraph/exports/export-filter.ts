import { badUserInput, type FieldProblem } from '../common/errors';
import { nearMissStatuses, workflowStages } from '../domain/vocabulary';
import type { NearMissFilter } from '../near-misses/near-miss.filter';

/*
 * The export's query string as the GraphQL NearMissFilter: `from` and `to`
 * (occurrence, ISO date-times, `to` exclusive), and lists given comma-separated
 * or repeated: `serviceIds`, `category` (or `categories`), `statuses`,
 * `workflowStages`; `personId`.
 */

const known = new Set(['from', 'to', 'serviceIds', 'category', 'categories', 'statuses', 'workflowStages', 'personId']);

function listOf(searchParams: URLSearchParams, ...names: string[]): string[] | undefined {
  const values = names
    .flatMap((name) => searchParams.getAll(name))
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter(Boolean);
  return values.length ? values : undefined;
}

export function parseExportFilter(searchParams: URLSearchParams): NearMissFilter {
  const problems: FieldProblem[] = [];
  for (const name of new Set(searchParams.keys()))
    if (!known.has(name)) problems.push({ path: name, message: `is not a filter (${[...known].join(', ')})` });
  const dateOf = (name: 'from' | 'to') => {
    const value = searchParams.get(name);
    if (value === null) return undefined;
    const date = new Date(value);
    if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(date.getTime())) {
      problems.push({ path: name, message: 'must be an ISO date or date-time' });
      return undefined;
    }
    return date;
  };
  const enumList = <T extends string>(name: string, allowed: readonly T[]): T[] | undefined => {
    const values = listOf(searchParams, name);
    const unknown = values?.filter((value) => !(allowed as readonly string[]).includes(value)) ?? [];
    if (unknown.length)
      problems.push({ path: name, message: `${unknown.join(', ')} is not one of ${allowed.join(', ')}` });
    return values as T[] | undefined;
  };
  const filter: NearMissFilter = {
    occurredFrom: dateOf('from'),
    occurredTo: dateOf('to'),
    serviceIds: listOf(searchParams, 'serviceIds'),
    categories: listOf(searchParams, 'category', 'categories'),
    statuses: enumList('statuses', nearMissStatuses),
    workflowStages: enumList('workflowStages', workflowStages),
    personId: searchParams.get('personId') ?? undefined,
  };
  if (problems.length) throw badUserInput(problems);
  return filter;
}
