export const actionFields = /* GraphQL */ `
  id title status strength actionType evidenceRequired evidence target serviceIds effective effectivenessReason overdue reopenCount
  owner { id } nearMisses { id status }
  verificationChecks { id method dueAt performedAt result evidence notes overdue sequence performedBy { id } }
`;
export const addActionMutation = `mutation($input: CorrectiveActionInput!) { addCorrectiveAction(input: $input) { ${actionFields} } }`;
export const completeActionMutation = `mutation($id: ID!, $evidence: [String!]!) { completeCorrectiveAction(id: $id, evidence: $evidence) { ${actionFields} } }`;
export const cancelActionMutation = `mutation($id: ID!, $reason: String!) { cancelCorrectiveAction(id: $id, reason: $reason) { ${actionFields} } }`;
export const scheduleMutation = `mutation($input: VerificationScheduleInput!) { scheduleVerification(input: $input) { id dueAt sequence method action { id } } }`;
export const recordResultMutation = `mutation($id: ID!, $result: VerificationResult!, $evidence: [String!]!, $notes: String) {
  recordVerificationResult(id: $id, result: $result, evidence: $evidence, notes: $notes) { id result performedAt evidence action { id status effective } }
}`;
export const actionPlanQuery = `query($id: ID!) { nearMiss(id: $id) { id status version weakOnly
  actionPlan { weakOnly effective checksScheduled checksPassed checksFailed checksOverdue noActionReason strengthMix { stronger intermediate weaker } actions { id title } }
  correctiveActions { id status effective } timeline { action } } }`;
