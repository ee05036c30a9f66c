import { z } from 'zod';
import { recordAudit } from '../audit/audit-log';
import { authorize } from '../auth/role-matrix';
import { badUserInput, conflict } from '../common/errors';
import { text, validate } from '../common/validation';
import type { Transaction } from '../database/transaction';
import type { Actor } from '../server/actor';
import { insertAddedFactor, loadAddedFactors } from './contributing-factor.repository';
import type { ContributingFactor } from './contributing-factor.type';
import { maxAddedFactors, newFactorCode, shippedFactors, taxonomyOf, type Factor } from './factor-coding';
import { otherFactorCode } from './taxonomy';

/** The provider's taxonomy: shipped factors and its own. */
export async function readTaxonomy(tx: Transaction, tenantId: string): Promise<Factor[]> {
  return taxonomyOf(await loadAddedFactors(tx, tenantId));
}

/** Every factor of a taxonomy as GraphQL objects, parents before children, linked both ways. */
export function toFactorTypes(taxonomy: readonly Factor[]): ContributingFactor[] {
  const byCode = new Map<string, ContributingFactor>();
  for (const factor of taxonomy) byCode.set(factor.code, { code: factor.code, label: factor.label, children: [] });
  for (const factor of taxonomy) {
    const node = byCode.get(factor.code)!;
    const parent = factor.parentCode ? byCode.get(factor.parentCode) : undefined;
    if (parent) {
      node.parent = parent;
      parent.children.push(node);
    }
  }
  return [...byCode.values()];
}

const addSchema = z.object({ parentCode: z.string().max(200).nullable(), label: text(120) });

/** Adds a factor to the caller's organisation's taxonomy, under a group or at the top (MANAGER, ADMIN). */
export async function addContributingFactor(
  tx: Transaction,
  { principal }: Actor,
  input: { parentCode?: string | null; label: string },
): Promise<ContributingFactor> {
  authorize(principal, 'factors.configure');
  const { parentCode, label } = validate(addSchema, { parentCode: input.parentCode ?? null, label: input.label });
  const taxonomy = await readTaxonomy(tx, principal.tenantId);
  if (parentCode !== null && (parentCode === otherFactorCode || !taxonomy.some((factor) => factor.code === parentCode)))
    throw badUserInput([{ path: 'parentCode', message: `is not a factor group of your taxonomy: ${parentCode}` }]);
  if (taxonomy.length - shippedFactors.length >= maxAddedFactors)
    throw conflict(`Your taxonomy already holds the most added factors (${maxAddedFactors})`);
  const code = newFactorCode(parentCode, label);
  if (!code) throw badUserInput([{ path: 'label', message: 'needs letters or digits' }]);
  const inserted =
    !taxonomy.some((factor) => factor.code === code) &&
    (await insertAddedFactor(tx, {
      tenantId: principal.tenantId,
      code,
      parentCode,
      label,
      addedBy: principal.staffId,
    }));
  if (!inserted) throw conflict(`The factor ${code} is already in your taxonomy`, { field: 'label', factorCode: code });
  await recordAudit(tx, {
    tenantId: principal.tenantId,
    actor: principal.staffId,
    action: 'contributing_factor.added',
    detail: { code, parentCode },
  });
  return toFactorTypes([...taxonomy, { code, label, parentCode, phrases: [] }]).find((factor) => factor.code === code)!;
}
