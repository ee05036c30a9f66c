import type { ReportFacts } from '../../plugins/sdk';
import type { NearMiss } from './near-miss.type';

/** What category rules see of a stored near miss. */
export const factsOf = (nearMiss: NearMiss): ReportFacts => ({
  category: nearMiss.categoryKey,
  serviceId: nearMiss.serviceId,
  setting: nearMiss.setting,
  potentialHarm: nearMiss.potentialHarm,
  preventionReliability: nearMiss.preventionReliability,
  workflowStage: nearMiss.workflowStage,
  contributingFactors: nearMiss.contributingFactors,
  personId: nearMiss.personId,
  visitId: nearMiss.visitId,
  medicationRecordId: nearMiss.medicationRecordId,
  shiftId: nearMiss.shiftId,
  carePlanId: nearMiss.carePlanId,
  occurredAt: nearMiss.occurredAt,
  details: nearMiss.details,
});
