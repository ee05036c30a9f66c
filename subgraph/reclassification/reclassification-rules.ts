import type { NearMiss } from '../near-misses/near-miss.type';

/**
 * Why a near miss cannot be reclassified as an incident (undefined when it
 * can): it happens once, and the record of it stays. Any status may be
 * reclassified: a closed near miss found later to have reached the person is
 * exactly the case this exists for.
 */
export function reclassificationRefusal(nearMiss: Pick<NearMiss, 'reference' | 'reclassificationRecord'>) {
  const record = nearMiss.reclassificationRecord;
  if (!record) return undefined;
  return `Near miss ${nearMiss.reference} was already reclassified as an incident on ${record.at.toISOString()}`;
}
