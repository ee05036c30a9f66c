import type { EntityManager } from 'typeorm';
import { badUserInput } from '../common/errors';
import { isUuid } from '../common/validation';
import type { NearMissFilter } from './near-miss.filter';
import { selectNearMissColumns, toNearMiss, type NearMissRow } from './near-miss.row';
import type { NearMiss } from './near-miss.type';
import type { ReadScope } from './read-scope';

export const maxPageSize = 100;

/** A host-entity link a list can hang from, e.g. `Person.nearMisses`. */
export type Anchor = { column: 'person_id' | 'reported_by'; value: string };

/** Everything a connection needs; resolved lazily so unused parts cost nothing. */
export interface ConnectionRequest {
  scope: ReadScope;
  filter: NearMissFilter;
  first: number;
  after?: string;
  anchor?: Anchor;
}

export interface Page {
  nodes: NearMiss[];
  hasNextPage: boolean;
}

type Cursor = { occurredAt: string; id: string };

export const encodeCursor = (nearMiss: Pick<NearMiss, 'occurredAt' | 'id'>) =>
  Buffer.from(JSON.stringify([nearMiss.occurredAt.toISOString(), nearMiss.id])).toString('base64url');

export function decodeCursor(cursor: string): Cursor {
  try {
    const [occurredAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof occurredAt === 'string' && !Number.isNaN(Date.parse(occurredAt)) && typeof id === 'string' && isUuid(id)) {
      return { occurredAt, id };
    }
  } catch {
    // fall through to the coded error
  }
  throw badUserInput([{ path: 'after', message: 'is not a cursor returned by this API' }]);
}

export function checkPageSize(first: number): number {
  if (!Number.isInteger(first) || first < 0 || first > maxPageSize) {
    throw badUserInput([{ path: 'first', message: `must be between 0 and ${maxPageSize}` }]);
  }
  return first;
}

/** Collects positional parameters for one SQL statement. */
export class Parameters {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** The WHERE conditions for a scope and filter on alias `n` (analytics use them too, so filters and scoping are identical). */
export function conditions(scope: ReadScope, filter: NearMissFilter, parameters: Parameters): string[] {
  const where = [`n.tenant_id = ${parameters.add(scope.tenantId)}`];
  if (scope.serviceIds !== '*') where.push(`n.service_id = ANY(${parameters.add(scope.serviceIds)}::text[])`);
  if (scope.reportedBy) where.push(`n.reported_by = ${parameters.add(scope.reportedBy)}`);
  if (filter.serviceIds) where.push(`n.service_id = ANY(${parameters.add(filter.serviceIds)}::text[])`);
  if (filter.categories) where.push(`n.category = ANY(${parameters.add(filter.categories)}::text[])`);
  if (filter.statuses) where.push(`n.status = ANY(${parameters.add(filter.statuses)}::text[])`);
  if (filter.workflowStages) where.push(`n.workflow_stage = ANY(${parameters.add(filter.workflowStages)}::text[])`);
  if (filter.occurredFrom) where.push(`n.occurred_at >= ${parameters.add(filter.occurredFrom)}`);
  if (filter.occurredTo) where.push(`n.occurred_at < ${parameters.add(filter.occurredTo)}`);
  if (filter.personId) where.push(`n.person_id = ${parameters.add(filter.personId)}`);
  return where;
}

function cursorCondition(after: string | undefined, parameters: Parameters): string[] {
  if (!after) return [];
  const cursor = decodeCursor(after);
  return [`(n.occurred_at, n.id) < (${parameters.add(cursor.occurredAt)}::timestamptz, ${parameters.add(cursor.id)}::uuid)`];
}

const order = 'ORDER BY n.occurred_at DESC, n.id DESC';

/**
 * Pages for several requests of one shape that differ only in their anchor
 * value: one statement, whatever the number of anchors.
 */
export async function loadPages(manager: EntityManager, requests: ConnectionRequest[]): Promise<Page[]> {
  const [shape] = requests;
  const parameters = new Parameters();
  const where = [...conditions(shape.scope, shape.filter, parameters), ...cursorCondition(shape.after, parameters)];
  const limit = parameters.add(shape.first + 1);
  if (!shape.anchor) {
    const rows: NearMissRow[] = await manager.query(
      `SELECT ${selectNearMissColumns('n')} FROM near_miss n WHERE ${where.join(' AND ')} ${order} LIMIT ${limit}`,
      parameters.values,
    );
    return requests.map(() => toPage(rows, shape.first));
  }
  const anchors = parameters.add(requests.map((request) => request.anchor?.value));
  const rows: (NearMissRow & { anchor: string })[] = await manager.query(
    `SELECT page.* FROM unnest(${anchors}::text[]) AS anchor(value)
     CROSS JOIN LATERAL (
       SELECT ${selectNearMissColumns('n')}, anchor.value AS anchor FROM near_miss n
       WHERE ${[...where, `n.${shape.anchor.column} = anchor.value`].join(' AND ')} ${order} LIMIT ${limit}
     ) page`,
    parameters.values,
  );
  const byAnchor = groupBy(rows, (row) => row.anchor);
  return requests.map((request) => toPage(byAnchor.get(request.anchor?.value ?? '') ?? [], shape.first));
}

/** Total counts for several requests of one shape: one statement. */
export async function loadCounts(manager: EntityManager, requests: ConnectionRequest[]): Promise<number[]> {
  const [shape] = requests;
  const parameters = new Parameters();
  const where = conditions(shape.scope, shape.filter, parameters);
  if (!shape.anchor) {
    const [row]: { count: number }[] = await manager.query(
      `SELECT count(*)::int AS count FROM near_miss n WHERE ${where.join(' AND ')}`,
      parameters.values,
    );
    return requests.map(() => row.count);
  }
  const anchors = parameters.add(requests.map((request) => request.anchor?.value));
  const rows: { anchor: string; count: number }[] = await manager.query(
    `SELECT n.${shape.anchor.column} AS anchor, count(*)::int AS count FROM near_miss n
     WHERE ${[...where, `n.${shape.anchor.column} = ANY(${anchors}::text[])`].join(' AND ')} GROUP BY 1`,
    parameters.values,
  );
  const counts = new Map(rows.map((row) => [row.anchor, row.count]));
  return requests.map((request) => counts.get(request.anchor?.value ?? '') ?? 0);
}

/** Near misses by id within a scope (missing or out-of-scope ids give null). */
export async function loadByIds(manager: EntityManager, scope: ReadScope, ids: readonly string[]): Promise<(NearMiss | null)[]> {
  const parameters = new Parameters();
  const valid = ids.filter((id) => isUuid(id));
  if (!valid.length) return ids.map(() => null);
  const where = conditions(scope, {}, parameters);
  // By primary key first, then the scope: planned together, a generic plan (the report path's) took a
  // reporter's index instead, reading every report of the reporter to return one.
  const rows: NearMissRow[] = await manager.query(
    `WITH by_id AS MATERIALIZED (SELECT * FROM near_miss WHERE id = ANY(${parameters.add(valid)}::uuid[]))
     SELECT ${selectNearMissColumns('n')} FROM by_id n WHERE ${where.join(' AND ')}`,
    parameters.values,
  );
  const byId = new Map(rows.map((row) => [String(row.id), toNearMiss(row)]));
  return ids.map((id) => byId.get(id.toLowerCase()) ?? null);
}

export type LinkColumn = 'visit_id' | 'medication_record_id' | 'shift_id' | 'care_plan_id';
export const maxLinkedNearMisses = 500;

/** Near misses linked to host entities (visits, MAR entries, shifts, care plans): one statement per batch. */
export async function loadByLink(manager: EntityManager, scope: ReadScope, column: LinkColumn, values: readonly string[]): Promise<NearMiss[][]> {
  const parameters = new Parameters();
  const where = conditions(scope, {}, parameters);
  const anchors = parameters.add(values);
  const rows: (NearMissRow & { anchor: string })[] = await manager.query(
    `SELECT page.* FROM unnest(${anchors}::text[]) AS anchor(value)
     CROSS JOIN LATERAL (
       SELECT ${selectNearMissColumns('n')}, anchor.value AS anchor FROM near_miss n
       WHERE ${[...where, `n.${column} = anchor.value`].join(' AND ')} ${order} LIMIT ${maxLinkedNearMisses}
     ) page`,
    parameters.values,
  );
  const byAnchor = groupBy(rows, (row) => row.anchor);
  return values.map((value) => (byAnchor.get(value) ?? []).map(toNearMiss));
}

function toPage(rows: NearMissRow[], first: number): Page {
  return { nodes: rows.slice(0, first).map(toNearMiss), hasNextPage: rows.length > first };
}

function groupBy<T>(items: T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

/** One near miss within a scope, locked for the rest of the transaction (null when missing or out of scope). */
export async function lockForUpdate(manager: EntityManager, scope: ReadScope, id: string): Promise<NearMiss | null> {
  if (!isUuid(id)) return null;
  const parameters = new Parameters();
  const where = [...conditions(scope, {}, parameters), `n.id = ${parameters.add(id)}::uuid`];
  const [row]: NearMissRow[] = await manager.query(
    `SELECT ${selectNearMissColumns('n')} FROM near_miss n WHERE ${where.join(' AND ')} FOR UPDATE`,
    parameters.values,
  );
  return row ? toNearMiss(row) : null;
}

export const awaitingTriage = ['REPORTED', 'ACKNOWLEDGED', 'REOPENED'];
export const maxQueueLength = 500;

/** What a triage lead must do next: reports awaiting triage, overdue first, then by due time. */
export async function loadTriageQueue(manager: EntityManager, scope: ReadScope, serviceIds: string[] | undefined, overdueOnly: boolean): Promise<NearMiss[]> {
  const parameters = new Parameters();
  const where = [...conditions(scope, { serviceIds }, parameters), `n.status = ANY(${parameters.add(awaitingTriage)}::text[])`];
  if (overdueOnly) where.push('n.triage_due_at < now()');
  const rows: NearMissRow[] = await manager.query(
    `SELECT ${selectNearMissColumns('n')} FROM near_miss n WHERE ${where.join(' AND ')}
     ORDER BY (n.triage_due_at < now()) DESC, n.triage_due_at, n.id LIMIT ${maxQueueLength}`,
    parameters.values,
  );
  return rows.map(toNearMiss);
}
