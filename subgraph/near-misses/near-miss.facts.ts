import type { ReportFacts } from '../../plugins/sdk';
import type { RegisteredCategory } from '../categories/category-registry';
import { currentDetails } from '../categories/current-details';
import type { NearMiss } from './near-miss.type';

/** What category rules see of a stored near miss, with its details in today's shape. */
export const factsOf = (nearMiss: NearMiss, category?: RegisteredCategory): ReportFacts => ({
  category: nearMiss.categoryKey,
  serviceId: nearMiss.serviceId,
  setting: nearMiss.setting,
  potentialHarm: nearMiss.potentialHarm,
  preventionReliability: nearMiss.preventionReliability,
  workflowStage: nearMiss.workflowStage,
  contributingFactors: nearMiss.contributingFactors,
  contributingFactorCodes: nearMiss.contributingFactorCodes,
  personId: nearMiss.personId,
  visitId: nearMiss.visitId,
  medicationRecordId: nearMiss.medicationRecordId,
  shiftId: nearMiss.shiftId,
  carePlanId: nearMiss.carePlanId,
  occurredAt: nearMiss.occurredAt,
  details: currentDetails(category, nearMiss.details, nearMiss.categoryVersion),
});
