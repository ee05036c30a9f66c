import type { Transaction } from '../database/transaction';
import { badUserInput } from '../common/errors';
import { isUuid } from '../common/validation';
import type { ConnectionRequest, NearMissFilter } from './near-miss.filter';
import type { NearMiss } from './near-miss.type';
import type { ReadScope } from './read-scope';
import type { ActualHarmValue, ReporterIdentityValue } from '../domain/vocabulary';
import { storedWorkflowContext } from './workflow-context';

export type { Anchor, ConnectionRequest } from './near-miss.filter';

/*
 * Reads of near misses. Hand-written SQL: keyset pages, one statement per
 * gateway batch (a lateral join per anchor), the caller's read scope as
 * conditions shared with the analytics repository, and FOR UPDATE within it.
 */

export const maxPageSize = 100;

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
    if (
      typeof occurredAt === 'string' &&
      !Number.isNaN(Date.parse(occurredAt)) &&
      typeof id === 'string' &&
      isUuid(id)
    ) {
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
  if (scope.restricted?.categories.length) {
    where.push(
      `(n.category <> ALL(${parameters.add(scope.restricted.categories)}::text[]) OR n.reported_by = ${parameters.add(scope.restricted.exceptReportedBy)})`,
    );
  }
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
  return [
    `(n.occurred_at, n.id) < (${parameters.add(cursor.occurredAt)}::timestamptz, ${parameters.add(cursor.id)}::uuid)`,
  ];
}

const order = 'ORDER BY n.occurred_at DESC, n.id DESC';

/**
 * A list hung from a member of staff (`Staff.nearMisses`) leaves out the
 * confidential reports whose reporter the caller may not see: finding them
 * there would name the reporter. Anonymous reports have no reporter to match.
 */
function anchorConditions({ scope, anchor }: ConnectionRequest, parameters: Parameters): string[] {
  if (anchor?.column !== 'reported_by' || !scope.confidentialReporters) return [];
  const { self, categories } = scope.confidentialReporters;
  return [
    `(n.reporter_identity = 'NAMED' OR n.reported_by = ${parameters.add(self)} OR n.category = ANY(${parameters.add(categories)}::text[]))`,
  ];
}

/**
 * Pages for several requests of one shape that differ only in their anchor
 * value: one statement, whatever the number of anchors.
 */
export async function loadPages(tx: Transaction, requests: ConnectionRequest[]): Promise<Page[]> {
  const [shape] = requests;
  const parameters = new Parameters();
  const where = [...conditions(shape.scope, shape.filter, parameters), ...cursorCondition(shape.after, parameters)];
  const limit = parameters.add(shape.first + 1);
  if (!shape.anchor) {
    const rows: NearMissRow[] = await tx.query(
      `SELECT ${selectNearMissColumns('n')} FROM near_miss n WHERE ${where.join(' AND ')} ${order} LIMIT ${limit}`,
      parameters.values,
    );
    return requests.map(() => toPage(rows, shape.first));
  }
  where.push(...anchorConditions(shape, parameters));
  const anchors = parameters.add(requests.map((request) => request.anchor?.value));
  const rows: (NearMissRow & { anchor: string })[] = await tx.query(
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
export async function loadCounts(tx: Transaction, requests: ConnectionRequest[]): Promise<number[]> {
  const [shape] = requests;
  const parameters = new Parameters();
  const where = conditions(shape.scope, shape.filter, parameters);
  if (!shape.anchor) {
    const [row]: { count: number }[] = await tx.query(
      `SELECT count(*)::int AS count FROM near_miss n WHERE ${where.join(' AND ')}`,
      parameters.values,
    );
    return requests.map(() => row.count);
  }
  where.push(...anchorConditions(shape, parameters));
  const anchors = parameters.add(requests.map((request) => request.anchor?.value));
  const rows: { anchor: string; count: number }[] = await tx.query(
    `SELECT n.${shape.anchor.column} AS anchor, count(*)::int AS count FROM near_miss n
     WHERE ${[...where, `n.${shape.anchor.column} = ANY(${anchors}::text[])`].join(' AND ')} GROUP BY 1`,
    parameters.values,
  );
  const counts = new Map(rows.map((row) => [row.anchor, row.count]));
  return requests.map((request) => counts.get(request.anchor?.value ?? '') ?? 0);
}

/** Near misses by id within a scope (missing or out-of-scope ids give null). */
export async function loadByIds(
  tx: Transaction,
  scope: ReadScope,
  ids: readonly string[],
): Promise<(NearMiss | null)[]> {
  const parameters = new Parameters();
  const valid = ids.filter((id) => isUuid(id));
  if (!valid.length) return ids.map(() => null);
  const where = conditions(scope, {}, parameters);
  // By primary key first, then the scope: planned together, a generic plan (the report path's) took a
  // reporter's index instead, reading every report of the reporter to return one.
  const rows: NearMissRow[] = await tx.query(
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
export async function loadByLink(
  tx: Transaction,
  scope: ReadScope,
  column: LinkColumn,
  values: readonly string[],
): Promise<NearMiss[][]> {
  const parameters = new Parameters();
  const where = conditions(scope, {}, parameters);
  const anchors = parameters.add(values);
  const rows: (NearMissRow & { anchor: string })[] = await tx.query(
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
export async function lockForUpdate(tx: Transaction, scope: ReadScope, id: string): Promise<NearMiss | null> {
  if (!isUuid(id)) return null;
  const parameters = new Parameters();
  const where = [...conditions(scope, {}, parameters), `n.id = ${parameters.add(id)}::uuid`];
  const [row]: NearMissRow[] = await tx.query(
    `SELECT ${selectNearMissColumns('n')} FROM near_miss n WHERE ${where.join(' AND ')} FOR UPDATE`,
    parameters.values,
  );
  return row ? toNearMiss(row) : null;
}

export const awaitingTriage = ['REPORTED', 'ACKNOWLEDGED', 'REOPENED'];
export const maxQueueLength = 500;

/** What a triage lead must do next: reports awaiting triage, overdue first, then by due time. */
export async function loadTriageQueue(
  tx: Transaction,
  scope: ReadScope,
  serviceIds: string[] | undefined,
  overdueOnly: boolean,
): Promise<NearMiss[]> {
  const parameters = new Parameters();
  const where = [
    ...conditions(scope, { serviceIds }, parameters),
    `n.status = ANY(${parameters.add(awaitingTriage)}::text[])`,
  ];
  if (overdueOnly) where.push('n.triage_due_at < now()');
  const rows: NearMissRow[] = await tx.query(
    `SELECT ${selectNearMissColumns('n')} FROM near_miss n WHERE ${where.join(' AND ')}
     ORDER BY (n.triage_due_at < now()) DESC, n.triage_due_at, n.id LIMIT ${maxQueueLength}`,
    parameters.values,
  );
  return rows.map(toNearMiss);
}

/** Columns every near-miss read selects (the table's own names). */
export const nearMissColumns = [
  'id',
  'tenant_id',
  'reference',
  'service_id',
  'category',
  'category_version',
  'status',
  'occurred_at',
  'detected_at',
  'reported_at',
  'reported_by',
  'reporter_identity',
  'staff_involved_ids',
  'person_id',
  'visit_id',
  'medication_record_id',
  'shift_id',
  'care_plan_id',
  'setting',
  'what_happened',
  'how_detected',
  'what_prevented_harm',
  'prevention_reliability',
  'immediate_actions',
  'what_made_this_possible',
  'contributing_factors',
  'contributing_factor_codes',
  'workflow_stage',
  'potential_harm',
  'details',
  'suggested_route',
  'same_day',
  'suggested_notify',
  'triage_due_at',
  'version',
  'acknowledged_at',
  'closed_at',
  'outcome',
  'reopen_count',
  'no_action_reason',
  'workflow_context',
  'minutes_after_shift_start',
  'minutes_before_shift_end',
  'minutes_after_scheduled',
  'time_critical_medicine',
  'care_plan_review_overdue',
  'staff_employment',
  'ncc_merp',
  'reclassified_at',
  'reclassified_by',
  'reclassified_harm',
  'reclassification_reason',
] as const;

/** A near miss as the database returns it (pg parses timestamps, arrays and jsonb). */
export interface NearMissRow {
  id: string;
  tenant_id: string;
  reference: string;
  service_id: string;
  category: string;
  category_version: number;
  status: NearMiss['status'];
  occurred_at: Date;
  detected_at: Date | null;
  reported_at: Date;
  reported_by: string | null;
  reporter_identity: ReporterIdentityValue;
  staff_involved_ids: string[];
  person_id: string | null;
  visit_id: string | null;
  medication_record_id: string | null;
  shift_id: string | null;
  care_plan_id: string | null;
  setting: NearMiss['setting'];
  what_happened: string;
  how_detected: string;
  what_prevented_harm: string;
  prevention_reliability: NearMiss['preventionReliability'];
  immediate_actions: string[];
  what_made_this_possible: string | null;
  contributing_factors: string[];
  contributing_factor_codes: string[];
  workflow_stage: NonNullable<NearMiss['workflowStage']> | null;
  potential_harm: NearMiss['potentialHarm'];
  details: Record<string, unknown>;
  suggested_route: NearMiss['suggestedRoute'];
  same_day: boolean;
  suggested_notify: string[];
  triage_due_at: Date;
  version: number;
  acknowledged_at: Date | null;
  closed_at: Date | null;
  outcome: string | null;
  reopen_count: number;
  no_action_reason: string | null;
  workflow_context: Record<string, unknown> | null;
  minutes_after_shift_start: number | null;
  minutes_before_shift_end: number | null;
  minutes_after_scheduled: number | null;
  time_critical_medicine: boolean;
  care_plan_review_overdue: boolean | null;
  staff_employment: string | null;
  ncc_merp: string | null;
  reclassified_at: Date | null;
  reclassified_by: string | null;
  reclassified_harm: ActualHarmValue | null;
  reclassification_reason: string | null;
}

export const selectNearMissColumns = (alias: string) =>
  nearMissColumns.map((column) => `${alias}.${column}`).join(', ');

const orUndefined = <T>(value: T | null): T | undefined => value ?? undefined;

/** Maps a database row to the GraphQL type. */
export function toNearMiss(row: NearMissRow): NearMiss {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    reference: row.reference,
    serviceId: row.service_id,
    categoryKey: row.category,
    categoryVersion: row.category_version,
    status: row.status,
    occurredAt: row.occurred_at,
    detectedAt: orUndefined(row.detected_at),
    reportedAt: row.reported_at,
    reportedById: row.reported_by,
    identity: row.reporter_identity,
    staffInvolvedIds: row.staff_involved_ids,
    personId: orUndefined(row.person_id),
    visitId: orUndefined(row.visit_id),
    medicationRecordId: orUndefined(row.medication_record_id),
    shiftId: orUndefined(row.shift_id),
    carePlanId: orUndefined(row.care_plan_id),
    setting: row.setting,
    whatHappened: row.what_happened,
    howDetected: row.how_detected,
    whatPreventedHarm: row.what_prevented_harm,
    preventionReliability: row.prevention_reliability,
    immediateActions: row.immediate_actions,
    whatMadeThisPossible: orUndefined(row.what_made_this_possible),
    contributingFactors: row.contributing_factors,
    contributingFactorCodes: row.contributing_factor_codes,
    workflowStage: orUndefined(row.workflow_stage),
    potentialHarm: row.potential_harm,
    details: row.details,
    suggestedRoute: row.suggested_route,
    sameDay: row.same_day,
    suggestedNotify: row.suggested_notify,
    triageDueBy: row.triage_due_at,
    version: row.version,
    acknowledgedAt: orUndefined(row.acknowledged_at),
    closedAt: orUndefined(row.closed_at),
    outcome: orUndefined(row.outcome),
    reopenCount: row.reopen_count,
    noActionReason: orUndefined(row.no_action_reason),
    workflowContext: storedWorkflowContext(row),
    nccMerp: orUndefined(row.ncc_merp),
    reclassificationRecord:
      row.reclassified_at && row.reclassified_by && row.reclassified_harm
        ? {
            at: row.reclassified_at,
            byId: row.reclassified_by,
            harm: row.reclassified_harm,
            reason: row.reclassification_reason ?? '',
          }
        : undefined,
  };
}
