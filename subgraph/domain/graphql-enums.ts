import { registerEnumType } from 'type-graphql';
import {
  actualHarms,
  careSettings,
  nearMissStatuses,
  potentialHarms,
  preventionReliabilities,
  triageRoutes,
  verificationMethods,
  workflowStages,
} from './vocabulary';

/** A GraphQL enum object (value → value) from a vocabulary list. */
export const enumOf = <const Values extends readonly string[]>(values: Values) =>
  Object.fromEntries(values.map((value) => [value, value])) as { [Value in Values[number]]: Value };

export const NearMissStatus = enumOf(nearMissStatuses);
export const PreventionReliability = enumOf(preventionReliabilities);
export const PotentialHarm = enumOf(potentialHarms);
export const ActualHarm = enumOf(actualHarms);
export const CareSetting = enumOf(careSettings);
export const WorkflowStage = enumOf(workflowStages);
export const TriageRoute = enumOf(triageRoutes);
export const VerificationMethod = enumOf(verificationMethods);

registerEnumType(NearMissStatus, { name: 'NearMissStatus', description: 'Where a near miss is in the learning loop.' });
registerEnumType(PreventionReliability, {
  name: 'PreventionReliability',
  description: 'What stopped the error reaching the person: a reliable control, someone noticing, or luck.',
});
registerEnumType(PotentialHarm, {
  name: 'PotentialHarm',
  description: 'The worst credible harm had the error reached the person.',
});
registerEnumType(ActualHarm, {
  name: 'ActualHarm',
  description: 'The harm done once an event is known to have reached the person (reclassifyAsIncident).',
});
registerEnumType(CareSetting, { name: 'CareSetting', description: 'Where care was being given.' });
registerEnumType(WorkflowStage, {
  name: 'WorkflowStage',
  description: 'The part of the workflow the near miss exposed.',
});
registerEnumType(TriageRoute, { name: 'TriageRoute', description: 'Where triage sends a near miss.' });
registerEnumType(VerificationMethod, {
  name: 'VerificationMethod',
  description: 'How a corrective action is checked.',
});
