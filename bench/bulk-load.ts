import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { ReportFacts } from '../plugins/sdk';
import { auditRowHash, genesisHash } from '../subgraph/audit/audit-hash';
import type { CategoryRegistry } from '../subgraph/categories/category-registry';
import { applicableGates } from '../subgraph/gates/applicable-gates';
import { formatReference } from '../subgraph/near-misses/reference';
import { workflowFigures } from '../subgraph/near-misses/workflow-context';
import { repeatKeys } from '../subgraph/patterns/repeat-trigger-keys';
import {
  decideRepeatTrigger,
  defaultRepeatTriggerRule,
  windowMembers,
  type KeyState,
  type Occurrence,
} from '../subgraph/patterns/repeat-trigger-rule';
import { similarityKey } from '../subgraph/patterns/similarity-key';
import { triageDueAt } from '../subgraph/triage/triage-due';
import { suggestTriage } from '../subgraph/triage/triage-suggestion';
import { SeededRandom } from './seeded-random';
import type { SyntheticNearMiss, SyntheticTenant } from './synthetic-world';

// The bulk path: what the report service, the repeat trigger and the learning
// loop would have written for a year of reports, computed with the same domain
// functions (triage rules, similarity keys, the repeat-trigger decision, the
// audit hash chain) and written with batched INSERT ... SELECT FROM unnest.
// Invariants kept: references per tenant and year with their counters; every
// near miss has its similarity rows, and reviews are what the trigger would
// have opened in report order; statuses match triage, actions, checks, gates
// and closures; each change has its audit event, chained per tenant. Seeded
// history raises no outbox events (no webhooks for the past).

const dayMs = 24 * 60 * 60 * 1000;
const hourMs = 60 * 60 * 1000;

export interface BulkOptions {
  /** The moment the world is loaded at: nothing happens after it. */
  now: Date;
  /** Triage, actions, checks, feedback and closures (signal health needs them). */
  lifecycle: boolean;
  /** The hash-chained audit trail for every change. */
  audit: boolean;
  seed: number;
  /** The server's pseudonymisation secret: similarity keys are keyed by it, as the server keys them. */
  secret: string;
}

type Column = { name: string; type: string; array?: boolean };

/** INSERT ... SELECT FROM unnest(...) in batches; text[] columns travel as JSON arrays. */
async function insertRows(
  manager: EntityManager,
  table: string,
  columns: Column[],
  rows: unknown[][],
  batchSize = 4000,
): Promise<void> {
  const unnestTypes = columns.map((column) => (column.array ? 'jsonb' : column.type));
  const select = columns.map((column, index) =>
    column.array ? `ARRAY(SELECT jsonb_array_elements_text(u.c${index}))` : `u.c${index}`,
  );
  const sql = `INSERT INTO ${table} (${columns.map((column) => column.name).join(', ')})
    SELECT ${select.join(', ')} FROM unnest(${unnestTypes.map((type, index) => `$${index + 1}::${type}[]`).join(', ')}) AS u(${columns.map((_, index) => `c${index}`).join(', ')})`;
  for (let start = 0; start < rows.length; start += batchSize) {
    const batch = rows.slice(start, start + batchSize);
    const values = columns.map((column, index) =>
      batch.map((row) =>
        column.array || column.type === 'jsonb'
          ? row[index] === null
            ? null
            : JSON.stringify(row[index])
          : row[index],
      ),
    );
    await manager.query(sql, values);
  }
}

interface Audit {
  at: Date;
  nearMissId: string | null;
  actor: string | null;
  action: string;
  detail: Record<string, unknown>;
}

interface Review {
  id: string;
  reason: string;
  category: string;
  serviceId: string;
  basis: string;
  openedAt: Date;
  openedBy: string;
  keys: string[];
  members: Map<string, Date>;
  concludeAt?: Date;
  causes: string[];
}

interface KeyTrack {
  /** Occurrences sorted by time, with the review that counted them (per key). */
  times: number[];
  entries: { nearMissId: string; occurredAt: Date; reviewId?: string }[];
  openReviewId?: string;
}

const sortedInsert = (track: KeyTrack, entry: KeyTrack['entries'][number]) => {
  const time = entry.occurredAt.getTime();
  let low = 0;
  let high = track.times.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (track.times[middle] <= time) low = middle + 1;
    else high = middle;
  }
  track.times.splice(low, 0, time);
  track.entries.splice(low, 0, entry);
};

const lowerBound = (times: number[], value: number) => {
  let low = 0;
  let high = times.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (times[middle] < value) low = middle + 1;
    else high = middle;
  }
  return low;
};

const minNow = (date: Date, now: Date) => (date.getTime() < now.getTime() ? date : null);
const ms = (date: Date) => new Date(Math.floor(date.getTime()));

export interface BulkResult {
  nearMisses: number;
  reviews: number;
  auditEvents: number;
}

/** Loads one synthetic tenant; refuses a tenant that already has near misses. */
export async function bulkLoadTenant(
  dataSource: DataSource,
  registry: CategoryRegistry,
  tenant: SyntheticTenant,
  options: BulkOptions,
): Promise<BulkResult> {
  const random = new SeededRandom(options.seed);
  const { now } = options;
  const tenantId = tenant.tenantId;
  const nearMissRows: unknown[][] = [];
  const similarityRows: unknown[][] = [];
  const triageRows: unknown[][] = [];
  const feedbackRows: unknown[][] = [];
  const gateRows: unknown[][] = [];
  const actionRows: unknown[][] = [];
  const actionLinkRows: unknown[][] = [];
  const checkRows: unknown[][] = [];
  const audits: Audit[] = [];
  const counters = new Map<number, number>();
  const tracks = new Map<string, KeyTrack>();
  const reviews: Review[] = [];
  const reviewById = new Map<string, Review>();
  const similarityReview = new Map<string, string>();
  const keysOf = new Map<string, string[]>();

  // Reviews still open in the simulation; a manager concludes each at its planned time.
  let openReviews: Review[] = [];
  const concludeDue = (at: Date) => {
    const due = openReviews.filter((review) => review.concludeAt && review.concludeAt.getTime() <= at.getTime());
    if (!due.length) return;
    openReviews = openReviews.filter((review) => !due.includes(review));
    for (const review of due) {
      for (const key of review.keys)
        if (tracks.get(key)?.openReviewId === review.id) tracks.get(key)!.openReviewId = undefined;
      if (options.audit) {
        for (const member of review.members.keys()) {
          audits.push({
            at: review.concludeAt!,
            nearMissId: member,
            actor: `manager-${review.serviceId}`,
            action: 'risk_review.concluded',
            detail: { reviewId: review.id, causes: review.causes, actionIds: [] },
          });
        }
      }
    }
  };

  for (const item of tenant.nearMisses) {
    const registered = registry.get(item.category)!;
    const definition = registered.definition;
    concludeDue(item.reportedAt);
    const year = item.reportedAt.getUTCFullYear();
    const sequence = (counters.get(year) ?? 0) + 1;
    counters.set(year, sequence);
    const reference = formatReference(year, sequence);
    const facts: ReportFacts = {
      ...item,
      category: item.category,
      contributingFactors: item.contributingFactors,
      details: item.details,
    };
    const suggestion = suggestTriage(definition, facts);
    const dueAt = triageDueAt(item.reportedAt, suggestion.sameDay);
    const figures = workflowFigures(item.occurredAt, item.workflowContext, item.details);

    // The repeat trigger, decided by the same function the report service uses.
    const similarity = similarityKey(definition, facts, { secret: options.secret, tenantId });
    const keys = repeatKeys(definition, facts, similarity);
    keysOf.set(
      item.id,
      keys.map((key) => key.key),
    );
    const width = defaultRepeatTriggerRule.windowDays * dayMs;
    const states: KeyState[] = keys.map((key) => {
      const track = tracks.get(key.key) ?? { times: [], entries: [] };
      tracks.set(key.key, track);
      const from = lowerBound(track.times, item.occurredAt.getTime() - width);
      const to = lowerBound(track.times, item.occurredAt.getTime() + width + 1);
      const uncounted: Occurrence[] = track.entries.slice(from, to).filter((entry) => !entry.reviewId);
      return { key, openReviewId: track.openReviewId, uncounted };
    });
    const decision = decideRepeatTrigger(defaultRepeatTriggerRule, item.category, item.occurredAt, states);
    const countedBy = new Map<string, string>();
    const count = (reviewId: string, windows: { key: { key: string }; members: Occurrence[] }[]) => {
      const review = reviewById.get(reviewId)!;
      for (const window of windows) {
        if (!review.keys.includes(window.key.key)) review.keys.push(window.key.key);
        tracks.get(window.key.key)!.openReviewId = reviewId;
        countedBy.set(window.key.key, reviewId);
        for (const member of window.members) {
          const entry = tracks
            .get(window.key.key)!
            .entries.find((candidate) => candidate.nearMissId === member.nearMissId)!;
          entry.reviewId = reviewId;
          similarityReview.set(`${window.key.key}/${member.nearMissId}`, reviewId);
          review.members.set(member.nearMissId, item.reportedAt);
        }
      }
      review.members.set(item.id, item.reportedAt);
    };
    for (const join of decision.join) {
      for (const key of join.keys) countedBy.set(key.key, join.reviewId);
      count(join.reviewId, decision.extend?.reviewId === join.reviewId ? decision.extend.windows : []);
    }
    if (options.audit && decision.join.length) {
      audits.push({
        at: item.reportedAt,
        nearMissId: item.id,
        actor: null,
        action: 'risk_review.joined',
        detail: { reviewIds: decision.join.map((join) => join.reviewId) },
      });
    }
    if (decision.open) {
      const review: Review = {
        id: randomUUID(),
        reason: decision.open.reason,
        category: item.category,
        serviceId: item.serviceId,
        basis: decision.open.windows[0].key.basis,
        openedAt: item.reportedAt,
        openedBy: item.id,
        keys: [],
        members: new Map(),
        // Managers conclude reviews within three weeks; the recent ones are still open (some overdue).
        concludeAt: new Date(item.reportedAt.getTime() + random.int(2, 21) * dayMs),
        causes: [
          random.pick([
            'ROTA_PRESSURE',
            'HANDOVER',
            'COMMUNICATION',
            'UNCLEAR_TASK_ALLOCATION',
            'PHARMACY_OR_SUPPLY',
            'DOCUMENTATION_DESIGN',
          ]),
        ],
      };
      if (review.concludeAt && review.concludeAt.getTime() > now.getTime()) review.concludeAt = undefined;
      reviews.push(review);
      openReviews.push(review);
      reviewById.set(review.id, review);
      count(review.id, decision.open.windows);
      if (options.audit) {
        audits.push({
          at: item.reportedAt,
          nearMissId: item.id,
          actor: null,
          action: 'risk_review.opened',
          detail: {
            reviewId: review.id,
            basis: review.basis,
            nearMissIds: [...windowMembers(decision.open.windows), item.id],
          },
        });
      }
    }
    for (const key of keys) {
      sortedInsert(tracks.get(key.key)!, {
        nearMissId: item.id,
        occurredAt: item.occurredAt,
        reviewId: countedBy.get(key.key),
      });
      if (countedBy.has(key.key)) similarityReview.set(`${key.key}/${item.id}`, countedBy.get(key.key)!);
    }

    // The learning loop so far: acknowledgement, triage, actions, checks, closure.
    const life = options.lifecycle ? simulateLifecycle(random, item, dueAt, suggestion.route, now) : undefined;
    if (life) {
      if (life.acknowledgedAt)
        feedbackRows.push([
          randomUUID(),
          tenantId,
          item.id,
          life.acknowledgedAt,
          'ACKNOWLEDGED',
          `Thank you for reporting ${reference}: it has been acknowledged.`,
          null,
        ]);
      if (life.triage) {
        triageRows.push([
          randomUUID(),
          tenantId,
          item.id,
          life.triage.route,
          suggestion.route,
          life.triage.route === suggestion.route ? null : 'Lead judged a different route',
          suggestion.sameDay,
          dueAt,
          life.triage.at,
          `lead-${item.serviceId}`,
          'SYSTEM_ISSUE',
          suggestion.notify,
          'Triaged from the report and the record',
        ]);
        feedbackRows.push([
          randomUUID(),
          tenantId,
          item.id,
          life.triage.at,
          'TRIAGED',
          `${reference} was triaged: ${life.triage.route.toLowerCase().replace(/_/g, ' ')}.`,
          null,
        ]);
      }
      for (const action of life.actions) {
        actionRows.push([
          action.id,
          tenantId,
          action.title,
          `manager-${item.serviceId}`,
          action.dueBy,
          action.status,
          action.strength,
          ['Audit record'],
          action.status === 'DONE' ? ['Audit record: attached'] : [],
          'No repeat near misses of this kind for 6 weeks',
          action.serviceIds,
          action.createdAt,
          `lead-${item.serviceId}`,
          action.completedAt,
          action.completedAt ? `manager-${item.serviceId}` : null,
          action.effective,
        ]);
        actionLinkRows.push([tenantId, action.id, item.id]);
        action.checks.forEach((check, index) =>
          checkRows.push([
            randomUUID(),
            tenantId,
            action.id,
            index + 1,
            'AUDIT',
            check.dueAt,
            check.performedAt,
            check.performedAt ? `lead-${item.serviceId}` : null,
            check.result,
            check.performedAt ? ['Weekly MAR audit'] : [],
            `lead-${item.serviceId}`,
            action.createdAt,
          ]),
        );
      }
      if (life.closedAt) {
        for (const gate of applicableGates(definition, facts))
          gateRows.push([
            tenantId,
            item.id,
            gate.key,
            `lead-${item.serviceId}`,
            new Date(life.closedAt.getTime() - hourMs),
            null,
          ]);
        feedbackRows.push([
          randomUUID(),
          tenantId,
          item.id,
          life.closedAt,
          'CLOSED',
          `You reported ${reference}; we changed the check that missed it.`,
          null,
        ]);
      }
      if (life.reopenedAt)
        feedbackRows.push([
          randomUUID(),
          tenantId,
          item.id,
          life.reopenedAt,
          'REOPENED',
          `${reference} has been reopened.`,
          null,
        ]);
    }
    const status = life?.status ?? 'REPORTED';
    nearMissRows.push([
      item.id,
      tenantId,
      reference,
      item.serviceId,
      item.category,
      definition.version,
      status,
      item.occurredAt,
      null,
      item.reportedAt,
      item.reportedBy,
      item.staffInvolvedIds,
      item.personId ?? null,
      item.visitId ?? null,
      item.medicationRecordId ?? null,
      item.shiftId ?? null,
      item.carePlanId ?? null,
      item.setting,
      item.whatHappened,
      item.howDetected,
      item.whatPreventedHarm,
      item.preventionReliability,
      item.immediateActions,
      item.whatMadeThisPossible ?? null,
      item.contributingFactors,
      item.workflowStage ?? null,
      item.potentialHarm,
      item.details,
      suggestion.route,
      suggestion.sameDay,
      suggestion.notify,
      life?.reopenedAt ? triageDueAt(life.reopenedAt, suggestion.sameDay) : dueAt,
      1 + (life?.changes ?? 0),
      life?.lastChange ?? item.reportedAt,
      life?.acknowledgedAt ?? null,
      life?.acknowledgedAt ? `lead-${item.serviceId}` : null,
      life?.closedAt ?? null,
      life?.closedAt ? `lead-${item.serviceId}` : null,
      life?.closedAt ? 'We changed the check that missed it.' : null,
      life?.reopenedAt ?? null,
      life?.reopenedAt ? 'A similar near miss recurred' : null,
      life?.reopenedAt ? 1 : 0,
      similarity,
      item.workflowContext,
      figures.minutesAfterShiftStart,
      figures.minutesBeforeShiftEnd,
      figures.minutesAfterScheduled,
      figures.timeCriticalMedicine,
      figures.carePlanReviewOverdue,
      figures.staffEmployment,
      definition.standards.nccMerp?.(facts) ?? null,
    ]);
    if (options.audit) {
      audits.push({
        at: item.reportedAt,
        nearMissId: item.id,
        actor: item.reportedBy,
        action: 'near_miss.reported',
        detail: {
          reference,
          category: item.category,
          suggestedRoute: suggestion.route,
          sameDay: suggestion.sameDay,
          firedRules: suggestion.firedRules,
        },
      });
      for (const change of life?.audits ?? []) audits.push({ ...change, nearMissId: item.id });
    }
  }
  concludeDue(now);
  for (const item of tenant.nearMisses) {
    for (const key of keysOf.get(item.id)!)
      similarityRows.push([tenantId, key, item.occurredAt, item.id, similarityReview.get(`${key}/${item.id}`) ?? null]);
  }

  await dataSource.transaction(async (manager) => {
    const [{ existing }]: { existing: number }[] = await manager.query(
      `SELECT count(*)::int AS existing FROM near_miss WHERE tenant_id = $1`,
      [tenantId],
    );
    if (existing > 0)
      throw new Error(
        `tenant ${tenantId} already has ${existing} near misses: load synthetic data into new tenants only`,
      );
    await insertRows(manager, 'near_miss', nearMissColumns, nearMissRows);
    await insertRows(
      manager,
      'near_miss_similarity',
      [
        { name: 'tenant_id', type: 'text' },
        { name: 'similarity_key', type: 'text' },
        { name: 'occurred_at', type: 'timestamptz' },
        { name: 'near_miss_id', type: 'uuid' },
        { name: 'review_id', type: 'uuid' },
      ],
      similarityRows,
    );
    for (const [year, last] of counters) {
      await manager.query(`INSERT INTO reference_counter (tenant_id, year, last_value) VALUES ($1, $2, $3)`, [
        tenantId,
        year,
        last,
      ]);
    }
    await insertRows(
      manager,
      'risk_review',
      [
        { name: 'id', type: 'uuid' },
        { name: 'tenant_id', type: 'text' },
        { name: 'status', type: 'text' },
        { name: 'reason', type: 'text' },
        { name: 'category', type: 'text' },
        { name: 'service_id', type: 'text' },
        { name: 'basis', type: 'text' },
        { name: 'threshold', type: 'int' },
        { name: 'window_days', type: 'int' },
        { name: 'opened_at', type: 'timestamptz' },
        { name: 'opened_by_near_miss_id', type: 'uuid' },
        { name: 'due_by', type: 'timestamptz' },
        { name: 'assigned_to', type: 'text' },
        { name: 'conclusion', type: 'text' },
        { name: 'causes', type: 'text', array: true },
        { name: 'concluded_at', type: 'timestamptz' },
        { name: 'concluded_by', type: 'text' },
        { name: 'version', type: 'int' },
      ],
      reviews.map((review) => [
        review.id,
        tenantId,
        review.concludeAt ? 'CONCLUDED' : 'OPEN',
        review.reason,
        review.category,
        review.serviceId,
        review.basis,
        defaultRepeatTriggerRule.threshold,
        defaultRepeatTriggerRule.windowDays,
        review.openedAt,
        review.openedBy,
        new Date(review.openedAt.getTime() + defaultRepeatTriggerRule.reviewDueDays * dayMs),
        `manager-${review.serviceId}`,
        review.concludeAt ? 'Reviewed the pattern with the team; see the actions.' : null,
        review.concludeAt ? review.causes : [],
        review.concludeAt ?? null,
        review.concludeAt ? `manager-${review.serviceId}` : null,
        review.concludeAt ? 2 : 1,
      ]),
    );
    await insertRows(
      manager,
      'risk_review_key',
      [
        { name: 'tenant_id', type: 'text' },
        { name: 'review_id', type: 'uuid' },
        { name: 'similarity_key', type: 'text' },
        { name: 'open', type: 'boolean' },
      ],
      reviews.flatMap((review) => review.keys.map((key) => [tenantId, review.id, key, !review.concludeAt])),
    );
    await insertRows(
      manager,
      'risk_review_near_miss',
      [
        { name: 'tenant_id', type: 'text' },
        { name: 'review_id', type: 'uuid' },
        { name: 'near_miss_id', type: 'uuid' },
        { name: 'joined_at', type: 'timestamptz' },
      ],
      reviews.flatMap((review) =>
        [...review.members].map(([member, joinedAt]) => [tenantId, review.id, member, joinedAt]),
      ),
    );
    if (options.lifecycle) {
      await insertRows(
        manager,
        'near_miss_triage',
        [
          { name: 'id', type: 'uuid' },
          { name: 'tenant_id', type: 'text' },
          { name: 'near_miss_id', type: 'uuid' },
          { name: 'route', type: 'text' },
          { name: 'suggested_route', type: 'text' },
          { name: 'override_reason', type: 'text' },
          { name: 'same_day', type: 'boolean' },
          { name: 'due_by', type: 'timestamptz' },
          { name: 'triaged_at', type: 'timestamptz' },
          { name: 'triaged_by', type: 'text' },
          { name: 'just_culture', type: 'text' },
          { name: 'notify', type: 'text', array: true },
          { name: 'rationale', type: 'text' },
        ],
        triageRows,
      );
      await insertRows(
        manager,
        'reporter_feedback',
        [
          { name: 'id', type: 'uuid' },
          { name: 'tenant_id', type: 'text' },
          { name: 'near_miss_id', type: 'uuid' },
          { name: 'at', type: 'timestamptz' },
          { name: 'kind', type: 'text' },
          { name: 'message', type: 'text' },
          { name: 'sent_by', type: 'text' },
        ],
        feedbackRows,
      );
      await insertRows(
        manager,
        'gate_completion',
        [
          { name: 'tenant_id', type: 'text' },
          { name: 'near_miss_id', type: 'uuid' },
          { name: 'key', type: 'text' },
          { name: 'done_by', type: 'text' },
          { name: 'done_at', type: 'timestamptz' },
          { name: 'note', type: 'text' },
        ],
        gateRows,
      );
      await insertRows(
        manager,
        'corrective_action',
        [
          { name: 'id', type: 'uuid' },
          { name: 'tenant_id', type: 'text' },
          { name: 'title', type: 'text' },
          { name: 'owner_id', type: 'text' },
          { name: 'due_by', type: 'timestamptz' },
          { name: 'status', type: 'text' },
          { name: 'strength', type: 'text' },
          { name: 'evidence_required', type: 'text', array: true },
          { name: 'evidence', type: 'text', array: true },
          { name: 'target', type: 'text' },
          { name: 'service_ids', type: 'text', array: true },
          { name: 'created_at', type: 'timestamptz' },
          { name: 'created_by', type: 'text' },
          { name: 'completed_at', type: 'timestamptz' },
          { name: 'completed_by', type: 'text' },
          { name: 'effective', type: 'boolean' },
        ],
        actionRows,
      );
      await insertRows(
        manager,
        'corrective_action_near_miss',
        [
          { name: 'tenant_id', type: 'text' },
          { name: 'action_id', type: 'uuid' },
          { name: 'near_miss_id', type: 'uuid' },
        ],
        actionLinkRows,
      );
      await insertRows(
        manager,
        'verification_check',
        [
          { name: 'id', type: 'uuid' },
          { name: 'tenant_id', type: 'text' },
          { name: 'action_id', type: 'uuid' },
          { name: 'sequence', type: 'int' },
          { name: 'method', type: 'text' },
          { name: 'due_at', type: 'timestamptz' },
          { name: 'performed_at', type: 'timestamptz' },
          { name: 'performed_by', type: 'text' },
          { name: 'result', type: 'text' },
          { name: 'evidence', type: 'text', array: true },
          { name: 'scheduled_by', type: 'text' },
          { name: 'created_at', type: 'timestamptz' },
        ],
        checkRows,
      );
    }
    if (options.audit) await appendAuditChain(manager, tenantId, audits);
  });
  return { nearMisses: nearMissRows.length, reviews: reviews.length, auditEvents: options.audit ? audits.length : 0 };
}

const nearMissColumns: Column[] = [
  ['id', 'uuid'],
  ['tenant_id', 'text'],
  ['reference', 'text'],
  ['service_id', 'text'],
  ['category', 'text'],
  ['category_version', 'int'],
  ['status', 'text'],
  ['occurred_at', 'timestamptz'],
  ['detected_at', 'timestamptz'],
  ['reported_at', 'timestamptz'],
  ['reported_by', 'text'],
  ['staff_involved_ids', 'text', true],
  ['person_id', 'text'],
  ['visit_id', 'text'],
  ['medication_record_id', 'text'],
  ['shift_id', 'text'],
  ['care_plan_id', 'text'],
  ['setting', 'text'],
  ['what_happened', 'text'],
  ['how_detected', 'text'],
  ['what_prevented_harm', 'text'],
  ['prevention_reliability', 'text'],
  ['immediate_actions', 'text', true],
  ['what_made_this_possible', 'text'],
  ['contributing_factors', 'text', true],
  ['workflow_stage', 'text'],
  ['potential_harm', 'text'],
  ['details', 'jsonb'],
  ['suggested_route', 'text'],
  ['same_day', 'boolean'],
  ['suggested_notify', 'text', true],
  ['triage_due_at', 'timestamptz'],
  ['version', 'int'],
  ['updated_at', 'timestamptz'],
  ['acknowledged_at', 'timestamptz'],
  ['acknowledged_by', 'text'],
  ['closed_at', 'timestamptz'],
  ['closed_by', 'text'],
  ['outcome', 'text'],
  ['reopened_at', 'timestamptz'],
  ['reopen_reason', 'text'],
  ['reopen_count', 'int'],
  ['similarity_key', 'text'],
  ['workflow_context', 'jsonb'],
  ['minutes_after_shift_start', 'int'],
  ['minutes_before_shift_end', 'int'],
  ['minutes_after_scheduled', 'int'],
  ['time_critical_medicine', 'boolean'],
  ['care_plan_review_overdue', 'boolean'],
  ['staff_employment', 'text'],
  ['ncc_merp', 'text'],
].map(([name, type, array]) => ({ name: name as string, type: type as string, array: array === true }));

interface Life {
  status: string;
  acknowledgedAt?: Date;
  triage?: { at: Date; route: string };
  actions: {
    id: string;
    title: string;
    strength: string;
    status: string;
    createdAt: Date;
    dueBy: Date;
    completedAt: Date | null;
    effective: boolean | null;
    serviceIds: string[];
    checks: { dueAt: Date; performedAt: Date | null; result: string | null }[];
  }[];
  closedAt?: Date;
  reopenedAt?: Date;
  changes: number;
  lastChange: Date;
  audits: Omit<Audit, 'nearMissId'>[];
}

/** What had happened to a report by `now`: realistic delays, most triaged within a day, some actions, checks and closures. */
function simulateLifecycle(
  random: SeededRandom,
  item: SyntheticNearMiss,
  dueAt: Date,
  suggestedRoute: string,
  now: Date,
): Life {
  const lead = `lead-${item.serviceId}`;
  const life: Life = { status: 'REPORTED', actions: [], changes: 0, lastChange: item.reportedAt, audits: [] };
  const change = (at: Date, action: string, detail: Record<string, unknown>, status?: string) => {
    life.changes += 1;
    life.lastChange = at;
    if (status) life.status = status;
    life.audits.push({ at, actor: lead, action, detail });
  };
  const after = (from: Date, hours: number) => minNow(ms(new Date(from.getTime() + hours * hourMs)), now);

  const acknowledgedAt = random.chance(0.95) ? after(item.reportedAt, 0.5 + random.next() * 5) : null;
  if (!acknowledgedAt) return life;
  life.acknowledgedAt = acknowledgedAt;
  change(
    acknowledgedAt,
    'near_miss.acknowledged',
    { status: { from: 'REPORTED', to: 'ACKNOWLEDGED' } },
    'ACKNOWLEDGED',
  );

  const triagedAt = random.chance(0.92) ? after(item.reportedAt, Math.exp(random.normal() * 0.9) * 7) : null;
  if (!triagedAt || triagedAt.getTime() < acknowledgedAt.getTime()) return life;
  const route = random.chance(0.9) ? suggestedRoute : random.pick(['OPERATIONAL_FIX', 'TREND_MONITORING']);
  life.triage = { at: triagedAt, route };
  change(
    triagedAt,
    'near_miss.triaged',
    {
      status: { from: 'ACKNOWLEDGED', to: 'TRIAGED' },
      route,
      suggestedRoute,
      withinDue: triagedAt.getTime() <= dueAt.getTime(),
    },
    'TRIAGED',
  );

  if (random.chance(0.3)) {
    const createdAt = after(triagedAt, random.int(4, 72));
    if (createdAt) {
      const strength = random.weighted([
        ['WEAKER', 40],
        ['INTERMEDIATE', 40],
        ['STRONGER', 20],
      ] as const);
      const dueBy = new Date(createdAt.getTime() + random.int(14, 43) * dayMs);
      const done = dueBy.getTime() < now.getTime() ? random.chance(0.8) : random.chance(0.3);
      const completedAt = done
        ? minNow(
            new Date(
              createdAt.getTime() +
                random.int(3, Math.max(4, Math.round((dueBy.getTime() - createdAt.getTime()) / dayMs))) * dayMs,
            ),
            now,
          )
        : null;
      const checks: Life['actions'][number]['checks'] = [];
      if (completedAt) {
        for (let index = 0; index < random.int(1, 4); index += 1) {
          const checkDue = new Date(completedAt.getTime() + (index + 1) * 7 * dayMs);
          const performedAt = checkDue.getTime() < now.getTime() && random.chance(0.9) ? checkDue : null;
          checks.push({
            dueAt: checkDue,
            performedAt,
            result: performedAt
              ? random.weighted([
                  ['PASS', 80],
                  ['PARTIAL', 10],
                  ['FAIL', 10],
                ] as const)
              : null,
          });
        }
      }
      const performed = checks.filter((check) => check.result);
      const failed = performed.some((check) => check.result === 'FAIL');
      const action = {
        id: randomUUID(),
        title:
          strength === 'WEAKER'
            ? 'Remind staff of the procedure'
            : strength === 'INTERMEDIATE'
              ? 'Add a checklist step at handover'
              : 'Redesign the MAR layout',
        strength,
        status: completedAt && !failed ? 'DONE' : completedAt ? 'OPEN' : random.chance(0.5) ? 'IN_PROGRESS' : 'OPEN',
        createdAt,
        dueBy,
        completedAt: failed ? null : completedAt,
        effective: failed ? false : performed.length === checks.length && checks.length > 0 ? true : null,
        serviceIds: random.chance(0.15) ? [item.serviceId, `${item.serviceId}-partner`] : [item.serviceId],
        checks,
      };
      life.actions.push(action);
      change(createdAt, 'corrective_action.added', { actionId: action.id, strength }, 'ACTIONS_IN_PROGRESS');
      if (action.status === 'DONE')
        change(action.completedAt!, 'corrective_action.completed', { actionId: action.id }, 'VERIFYING');
      for (const check of performed)
        change(check.performedAt!, 'verification.recorded', { actionId: action.id, result: check.result });
    }
  }

  const settled = life.actions.every((action) => action.status === 'DONE' && action.effective !== false);
  const closeFrom = life.actions.reduce(
    (latest, action) =>
      Math.max(
        latest,
        ...action.checks.map((check) => check.performedAt?.getTime() ?? 0),
        action.completedAt?.getTime() ?? 0,
      ),
    triagedAt.getTime(),
  );
  const closedAt = settled && random.chance(0.65) ? minNow(new Date(closeFrom + random.int(2, 20) * dayMs), now) : null;
  if (closedAt) {
    life.closedAt = closedAt;
    change(closedAt, 'near_miss.closed', { status: { from: life.status, to: 'CLOSED' } }, 'CLOSED');
    const reopenedAt = random.chance(0.02)
      ? minNow(new Date(closedAt.getTime() + random.int(3, 60) * dayMs), now)
      : null;
    if (reopenedAt) {
      life.reopenedAt = reopenedAt;
      change(
        reopenedAt,
        'near_miss.reopened',
        { status: { from: 'CLOSED', to: 'REOPENED' }, reason: 'recurrence' },
        'REOPENED',
      );
    }
  }
  return life;
}

/**
 * Appends a tenant's audit events in time order to its hash chain. The head
 * trigger checks and advances the head row by row, which is slow for hundreds
 * of thousands of rows in one transaction; a superuser loader turns triggers
 * off for this one insert (session_replication_role, transaction-local) and
 * moves the head once. The rows are the same; verifyAuditChains checks them.
 */
async function appendAuditChain(manager: EntityManager, tenantId: string, audits: Audit[]): Promise<void> {
  const [head]: { last_seq: string; last_hash: string }[] = await manager.query(
    `INSERT INTO audit_chain_head AS head (tenant_id, last_seq, last_hash) VALUES ($1, 0, $2)
     ON CONFLICT (tenant_id) DO UPDATE SET last_seq = head.last_seq RETURNING last_seq, last_hash`,
    [tenantId, genesisHash],
  );
  let seq = Number(head.last_seq);
  let prevHash = head.last_hash;
  const ordered = audits
    .map((audit, index) => ({ audit, index }))
    .sort((a, b) => a.audit.at.getTime() - b.audit.at.getTime() || a.index - b.index);
  const rows = ordered.map(({ audit }) => {
    seq += 1;
    const detail = JSON.parse(JSON.stringify(audit.detail)) as unknown;
    const row = {
      tenantId,
      seq,
      nearMissId: audit.nearMissId,
      at: ms(audit.at),
      actor: audit.actor,
      action: audit.action,
      detail,
      prevHash,
    };
    const hash = auditRowHash(row);
    prevHash = hash;
    return [tenantId, seq, audit.nearMissId, row.at, audit.actor, audit.action, detail, row.prevHash, hash];
  });
  const columns = [
    { name: 'tenant_id', type: 'text' },
    { name: 'seq', type: 'bigint' },
    { name: 'near_miss_id', type: 'uuid' },
    { name: 'at', type: 'timestamptz' },
    { name: 'actor', type: 'text' },
    { name: 'action', type: 'text' },
    { name: 'detail', type: 'jsonb' },
    { name: 'prev_hash', type: 'text' },
    { name: 'hash', type: 'text' },
  ];
  await manager.query('SAVEPOINT bulk_audit');
  try {
    await manager.query(`SET LOCAL session_replication_role = replica`);
  } catch {
    await manager.query('ROLLBACK TO SAVEPOINT bulk_audit');
    await insertRows(manager, 'audit_event', columns, rows, 2000);
    return;
  }
  await insertRows(manager, 'audit_event', columns, rows, 4000);
  if (rows.length)
    await manager.query(
      `UPDATE audit_chain_head SET last_seq = $2, last_hash = $3, updated_at = clock_timestamp() WHERE tenant_id = $1`,
      [tenantId, seq, prevHash],
    );
  await manager.query(`SET LOCAL session_replication_role = origin`);
}
