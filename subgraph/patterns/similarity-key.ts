import { createHmac } from 'node:crypto';
import type { CategoryDefinition, ReportFacts } from '../../plugins/sdk';
import { canonicalJson, sha256 } from '../common/canonical-json';

const normalise = (value: unknown): unknown =>
  typeof value === 'string' ? value.trim().toLowerCase().replace(/\s+/g, ' ') : value;

/** What keys similarity: the server's pseudonymisation secret and the tenant. */
export interface SimilarityKeying {
  secret: string;
  tenantId: string;
}

const fieldValue = (report: ReportFacts, field: string): unknown =>
  field.startsWith('details.')
    ? report.details[field.slice('details.'.length)]
    : (report as unknown as Record<string, unknown>)[field];

/** The fields that make two reports of a category the same kind (see `kind` in the SDK). */
export const kindFields = (category: Pick<CategoryDefinition, 'similarity' | 'kind'>): readonly string[] =>
  category.kind ?? category.similarity.filter((field) => field.startsWith('details.'));

/**
 * Two reports of a category are the same kind when they agree on its kind
 * fields, whoever they happened to: what a service-wide control answers for.
 * Null when a kind field is empty.
 */
export function kindKey(
  category: Pick<CategoryDefinition, 'key' | 'similarity' | 'kind'>,
  report: ReportFacts,
): string | null {
  const values: unknown[] = [];
  for (const field of kindFields(category)) {
    const value = fieldValue(report, field);
    if (value === undefined || value === null || value === '') return null;
    values.push(normalise(value));
  }
  return sha256(canonicalJson(['kind', category.key, ...values])).slice(0, 32);
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
    const value = fieldValue(report, field);
    if (value === undefined || value === null || value === '') return null;
    values.push(normalise(value));
  }
  return createHmac('sha256', secret)
    .update(`similarity\u0000${tenantId}\u0000`)
    .update(canonicalJson([category.key, ...values]))
    .digest('hex')
    .slice(0, 32);
}
