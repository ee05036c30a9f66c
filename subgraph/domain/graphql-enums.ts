import { registerEnumType } from 'type-graphql';
import {
  actualHarms,
  careSettings,
  learningResponseMethods,
  nearMissStatuses,
  notificationMethods,
  potentialHarms,
  preventionReliabilities,
  reporterIdentities,
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
export const ReporterIdentity = enumOf(reporterIdentities);
export const NotificationMethod = enumOf(notificationMethods);
export const LearningResponseMethod = enumOf(learningResponseMethods);

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
registerEnumType(ReporterIdentity, {
  name: 'ReporterIdentity',
  description:
    "How the reporter is known. CONFIDENTIAL: visible only to triage leads, the category's restricted-access roles and managers. ANONYMOUS: no identity is stored anywhere (row, audit, outbox, logs); the reporter follows the report with a receipt code.",
});
registerEnumType(NotificationMethod, {
  name: 'NotificationMethod',
  description: 'How someone who had to be told about a near miss was told.',
});
registerEnumType(LearningResponseMethod, {
  name: 'LearningResponseMethod',
  description:
    'How the organisation responded to learn (PSIRF): a SWARM huddle, an after-action review, a thematic review, an MDT review or a root cause analysis.',
});
