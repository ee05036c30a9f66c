// Plain measures behind signal health and workflow-stage analysis.

/**
 * How evenly reports spread over the categories a provider could report in:
 * Shannon entropy of the category shares divided by its maximum, ln(k), so 0
 * means every report is in one category and 1 means perfectly even. A
 * narrowing spread can mean staff have stopped reporting whole kinds of risk.
 */
export function categorySpread(counts: readonly number[], categoriesAvailable: number): number {
  const total = counts.reduce((sum, count) => sum + count, 0);
  const k = Math.max(categoriesAvailable, counts.filter((count) => count > 0).length);
  if (total === 0 || k < 2) return 0;
  const entropy = counts.reduce((sum, count) => (count > 0 ? sum - (count / total) * Math.log(count / total) : sum), 0);
  return Math.min(1, Math.max(0, entropy / Math.log(k)));
}

/** part / whole, 0 when there is nothing to divide. */
export const rate = (part: number, whole: number) => (whole > 0 ? part / whole : 0);

/** part / whole, null when there is nothing to divide (e.g. no checks performed yet). */
export const rateOrNull = (part: number, whole: number) => (whole > 0 ? part / whole : null);

export interface StageComparison {
  stage: string;
  count: number;
  share: number;
  tenantCount: number;
  tenantShare: number;
  /** share / tenantShare; null when the tenant has none of the stage. */
  lift: number | null;
  clustered: boolean;
}

/** A one-sided z of 1.96: a stage's share is above the tenant's by more than chance would give 2.5% of the time. */
export const clusterZ = 1.96;
/** Fewer near misses than this never make a cluster. */
export const minimumClusterCount = 3;

/**
 * Where a service's near misses cluster compared with the tenant as a whole:
 * for each stage, the service's share against the tenant's, and whether the
 * excess is beyond chance (normal approximation to the binomial, with the
 * tenant's share as the expected rate).
 */
export function compareStages(
  service: ReadonlyMap<string, number>,
  tenant: ReadonlyMap<string, number>,
): StageComparison[] {
  const serviceTotal = [...service.values()].reduce((sum, count) => sum + count, 0);
  const tenantTotal = [...tenant.values()].reduce((sum, count) => sum + count, 0);
  return [...service.entries()].map(([stage, count]) => {
    const tenantCount = tenant.get(stage) ?? 0;
    const share = rate(count, serviceTotal);
    const tenantShare = rate(tenantCount, tenantTotal);
    const expected = serviceTotal * tenantShare;
    const spread = Math.sqrt(serviceTotal * tenantShare * (1 - tenantShare));
    const beyondChance = spread > 0 ? (count - expected) / spread >= clusterZ : count > expected;
    return {
      stage,
      count,
      share,
      tenantCount,
      tenantShare,
      lift: tenantShare > 0 ? share / tenantShare : null,
      clustered: count >= minimumClusterCount && beyondChance,
    };
  });
}
