import { badUserInput } from '../common/errors';
import { decodeCursor, maxPageSize } from '../near-misses/near-miss.repository';
import { fhirAdverseEventCategories } from '../standards/code-systems';

/*
 * The AdverseEvent search parameters this server supports, parsed into the
 * GraphQL filter's terms: `date` (occurrence, FHIR prefixes and precisions,
 * several ANDed), `category` (FHIR category tokens, comma-separated ORed),
 * `_count` and the server's own keyset cursor `_cursor`.
 */

export interface AdverseEventSearch {
  /** Inclusive. */
  occurredFrom?: Date;
  /** Exclusive. */
  occurredTo?: Date;
  fhirCategories?: string[];
  count: number;
  cursor?: string;
}

export const defaultCount = 20;
const datePattern =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?)?)?$/;

/** The instant range [start, end) a FHIR date value stands for, at its precision (UTC when no zone is given). */
export function dateRange(value: string): { start: Date; end: Date } | undefined {
  const match = datePattern.exec(value);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second, fraction, zone] = match;
  if (hour !== undefined) {
    const start = new Date(`${year}-${month}-${day}T${hour}:${minute}:${second ?? '00'}${fraction ?? ''}${zone}`);
    if (Number.isNaN(start.getTime())) return undefined;
    const step = fraction ? 1 : second ? 1000 : 60_000;
    return { start, end: new Date(start.getTime() + step) };
  }
  const y = Number(year);
  const m = month ? Number(month) - 1 : 0;
  const d = day ? Number(day) : 1;
  if (m > 11 || d < 1 || d > 31) return undefined;
  const start = new Date(Date.UTC(y, m, d));
  if (start.getUTCMonth() !== m) return undefined;
  const end = day ? Date.UTC(y, m, d + 1) : month ? Date.UTC(y, m + 1, 1) : Date.UTC(y + 1, 0, 1);
  return { start, end: new Date(end) };
}

const prefixes = ['eq', 'ge', 'gt', 'le', 'lt'] as const;

/** One `date` value as bounds on the occurrence. */
export function dateBounds(value: string): { from?: Date; to?: Date } {
  const prefix = prefixes.find((candidate) => value.startsWith(candidate));
  const range = dateRange(prefix ? value.slice(2) : value);
  if (!range) {
    throw badUserInput([
      {
        path: 'date',
        message: `${JSON.stringify(value)} is not a FHIR date search value (eq, ge, gt, le or lt and a date or date-time)`,
      },
    ]);
  }
  switch (prefix ?? 'eq') {
    case 'ge':
      return { from: range.start };
    case 'gt':
      return { from: range.end };
    case 'le':
      return { to: range.end };
    case 'lt':
      return { to: range.start };
    default:
      return { from: range.start, to: range.end };
  }
}

const later = (a: Date | undefined, b: Date | undefined) => (!a ? b : !b ? a : a > b ? a : b);
const earlier = (a: Date | undefined, b: Date | undefined) => (!a ? b : !b ? a : a < b ? a : b);

export function parseAdverseEventSearch(searchParams: URLSearchParams): AdverseEventSearch {
  let occurredFrom: Date | undefined;
  let occurredTo: Date | undefined;
  for (const value of searchParams.getAll('date')) {
    const bounds = dateBounds(value);
    occurredFrom = later(occurredFrom, bounds.from);
    occurredTo = earlier(occurredTo, bounds.to);
  }
  const categoryValues = searchParams.getAll('category');
  let fhirCategories: string[] | undefined;
  if (categoryValues.length) {
    fhirCategories = categoryValues
      .flatMap((value) => value.split(','))
      .map((token) => {
        const [system, code] = token.includes('|') ? token.split('|', 2) : [undefined, token];
        if ((system && system !== fhirAdverseEventCategories.url) || !code) {
          throw badUserInput([
            {
              path: 'category',
              message: `${JSON.stringify(token)} is not a code of ${fhirAdverseEventCategories.url}`,
            },
          ]);
        }
        return code;
      });
  }
  const countValue = searchParams.get('_count');
  const count = countValue === null ? defaultCount : Number(countValue);
  if (!/^\d+$/.test(countValue ?? '0') || !Number.isInteger(count) || count < 1 || count > maxPageSize) {
    throw badUserInput([{ path: '_count', message: `must be a whole number from 1 to ${maxPageSize}` }]);
  }
  const cursor = searchParams.get('_cursor') ?? undefined;
  if (cursor !== undefined) {
    try {
      decodeCursor(cursor);
    } catch {
      throw badUserInput([{ path: '_cursor', message: 'is not a cursor from a next link of this server' }]);
    }
  }
  return { occurredFrom, occurredTo, fhirCategories, count, cursor };
}
