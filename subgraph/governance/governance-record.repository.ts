import type { Transaction } from '../database/transaction';
import type { LearningResponseMethodValue } from '../domain/vocabulary';
import { GovernanceReviewEntity, LearningResponseEntity } from './governance-record.entity';

/** The most records a list returns; a period's meetings are far fewer. */
export const maxGovernanceRecords = 200;

/** Which records a caller lists: their tenant, and records of their services (or of the whole organisation). */
export interface RecordScope {
  tenantId: string;
  serviceIds: string[] | '*';
}

export interface GovernanceReviewRecord {
  id: string;
  from: Date;
  to: Date;
  /** Empty: every service. */
  serviceIds: string[];
  heldAt: Date;
  attendees: string[];
  decisions: string[];
  emergingRisk: boolean;
  reopenedNearMissIds: string[];
}

export interface LearningResponseRecord {
  id: string;
  method: LearningResponseMethodValue;
  heldAt: Date;
  participants: string[];
  findings: string;
  serviceIds: string[];
  nearMissIds: string[];
  riskReviewIds: string[];
  actionIds: string[];
}

export async function insertGovernanceReview(
  tx: Transaction,
  review: Omit<GovernanceReviewRecord, 'id'> & { tenantId: string; recordedBy: string },
): Promise<string> {
  const { identifiers } = await tx.getRepository(GovernanceReviewEntity).insert({
    tenantId: review.tenantId,
    periodFrom: review.from,
    periodTo: review.to,
    serviceIds: review.serviceIds,
    heldAt: review.heldAt,
    attendees: review.attendees,
    decisions: review.decisions,
    emergingRisk: review.emergingRisk,
    reopenedNearMissIds: review.reopenedNearMissIds,
    recordedBy: review.recordedBy,
  });
  return identifiers[0].id as string;
}

export async function insertLearningResponse(
  tx: Transaction,
  response: Omit<LearningResponseRecord, 'id'> & { tenantId: string; recordedBy: string },
): Promise<string> {
  const { identifiers } = await tx.getRepository(LearningResponseEntity).insert({ ...response });
  return identifiers[0].id as string;
}

/** Records held in [from, to), of the caller's services or the whole organisation, oldest first. */
function heldIn<T extends GovernanceReviewEntity | LearningResponseEntity>(
  tx: Transaction,
  entity: new () => T,
  scope: RecordScope,
  period: { from?: Date; to?: Date },
) {
  let query = tx
    .getRepository(entity)
    .createQueryBuilder('g')
    .where('g.tenantId = :tenantId', { tenantId: scope.tenantId });
  if (scope.serviceIds !== '*') {
    query = query.andWhere(`(g.serviceIds = '{}' OR g.serviceIds && CAST(:serviceIds AS text[]))`, {
      serviceIds: scope.serviceIds,
    });
  }
  if (period.from) query = query.andWhere('g.heldAt >= :from', { from: period.from });
  if (period.to) query = query.andWhere('g.heldAt < :to', { to: period.to });
  return query.orderBy('g.heldAt', 'ASC').addOrderBy('g.id', 'ASC').take(maxGovernanceRecords);
}

export async function listGovernanceReviews(
  tx: Transaction,
  scope: RecordScope,
  period: { from?: Date; to?: Date },
): Promise<GovernanceReviewRecord[]> {
  const rows = await heldIn(tx, GovernanceReviewEntity, scope, period).getMany();
  return rows.map((row) => ({
    id: row.id,
    from: row.periodFrom,
    to: row.periodTo,
    serviceIds: row.serviceIds,
    heldAt: row.heldAt,
    attendees: row.attendees,
    decisions: row.decisions,
    emergingRisk: row.emergingRisk,
    reopenedNearMissIds: row.reopenedNearMissIds,
  }));
}

export async function listLearningResponses(
  tx: Transaction,
  scope: RecordScope,
  period: { from?: Date; to?: Date },
): Promise<LearningResponseRecord[]> {
  const rows = await heldIn(tx, LearningResponseEntity, scope, period).getMany();
  return rows.map((row) => ({
    id: row.id,
    method: row.method as LearningResponseMethodValue,
    heldAt: row.heldAt,
    participants: row.participants,
    findings: row.findings,
    serviceIds: row.serviceIds,
    nearMissIds: row.nearMissIds,
    riskReviewIds: row.riskReviewIds,
    actionIds: row.actionIds,
  }));
}
