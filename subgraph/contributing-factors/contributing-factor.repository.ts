import type { Transaction } from '../database/transaction';
import { ContributingFactorEntity } from './contributing-factor.entity';
import type { AddedFactor } from './factor-coding';

/** The factors a provider added, oldest first. */
export async function loadAddedFactors(tx: Transaction, tenantId: string): Promise<AddedFactor[]> {
  const rows = await tx.getRepository(ContributingFactorEntity).find({
    select: { code: true, label: true, parentCode: true },
    where: { tenantId },
    order: { addedAt: 'ASC', code: 'ASC' },
  });
  return rows.map((row) => ({ code: row.code, label: row.label, parentCode: row.parentCode }));
}

/** Adds a factor; false when the provider already has that code. */
export async function insertAddedFactor(
  tx: Transaction,
  factor: AddedFactor & { tenantId: string; addedBy: string },
): Promise<boolean> {
  const result = await tx
    .getRepository(ContributingFactorEntity)
    .createQueryBuilder()
    .insert()
    .values(factor)
    .orIgnore()
    .returning(['code'])
    .execute();
  return (result.raw as unknown[]).length > 0;
}
