import { createHmac } from 'node:crypto';
import type { CategoryDefinition, ReportFacts } from '../../plugins/sdk';
import { canonicalJson } from '../common/canonical-json';

const normalise = (value: unknown): unknown =>
  typeof value === 'string' ? value.trim().toLowerCase().replace(/\s+/g, ' ') : value;

/** What keys similarity: the server's pseudonymisation secret and the tenant. */
export interface SimilarityKeying {
  secret: string;
  tenantId: string;
}

/**
 * Two reports of a category are "similar" when they agree on every field its
 * plugin names in `similarity` (e.g. same person and same medication). The key
 * is stored with the report, so finding similar reports is an index lookup.
 * It is an HMAC keyed by the server secret and the tenant: the values behind
 * it are person ids and medicines, which an unkeyed hash would give away to
 * anyone who can list the candidates, and keys never match across tenants.
 * Null when a named field is empty: such a report is similar to nothing.
 */
export function similarityKey(
  category: Pick<CategoryDefinition, 'key' | 'similarity'>,
  report: ReportFacts,
  { secret, tenantId }: SimilarityKeying,
): string | null {
  if (category.similarity.length === 0) return null;
  const values: unknown[] = [];
  for (const field of category.similarity) {
    const value = field.startsWith('details.')
      ? report.details[field.slice('details.'.length)]
      : (report as unknown as Record<string, unknown>)[field];
    if (value === undefined || value === null || value === '') return null;
    values.push(normalise(value));
  }
  return createHmac('sha256', secret)
    .update(`similarity\u0000${tenantId}\u0000`)
    .update(canonicalJson([category.key, ...values]))
    .digest('hex')
    .slice(0, 32);
}
