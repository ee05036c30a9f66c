import type { CategoryRegistry } from '../categories/category-registry';
import { factsOf } from '../near-misses/near-miss.facts';
import type { NearMiss } from '../near-misses/near-miss.type';
import { standardCodesOf, type StandardCodesValue } from './standard-codes';

/** A stored near miss's standard codes, through its category's mapping. */
export function nearMissStandardCodes(registry: CategoryRegistry, nearMiss: NearMiss): StandardCodesValue {
  const category = registry.get(nearMiss.categoryKey);
  return standardCodesOf(category?.definition, {
    facts: factsOf(nearMiss, category),
    nccMerp: nearMiss.nccMerp,
    reclassifiedHarm: nearMiss.reclassificationRecord?.harm,
  });
}
