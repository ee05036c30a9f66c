import type { Caller } from './test-app';
export const nearMissFields = /* GraphQL */ `
  id reference status version outcome reopenCount
  triage { route suggestedRoute overrideReason sameDay dueBy withinDue justCulture justCultureResponse notify rationale triagedBy { id } }
  gates { key label done doneBy { id } doneAt }
  feedback { at message }
  timeline { action actor { id } detail }
`;

export const acknowledgeMutation = `mutation($id: ID!, $v: Int!) { acknowledgeNearMiss(id: $id, expectedVersion: $v) { ${nearMissFields} } }`;
export const triageMutation = `mutation($input: TriageInput!) { triageNearMiss(input: $input) { ${nearMissFields} } }`;
export const gateMutation = `mutation($id: ID!, $key: ID!, $v: Int!, $note: String) { completeGateItem(nearMissId: $id, key: $key, expectedVersion: $v, note: $note) { ${nearMissFields} } }`;
export const closeMutation = `mutation($id: ID!, $v: Int!, $outcome: String!) { closeNearMiss(id: $id, expectedVersion: $v, outcome: $outcome) { ${nearMissFields} } }`;
export const reopenMutation = `mutation($id: ID!, $reason: String!) { reopenNearMiss(id: $id, reason: $reason) { ${nearMissFields} } }`;
export const feedbackMutation = `mutation($id: ID!, $message: String!) { sendReporterFeedback(nearMissId: $id, message: $message) { ${nearMissFields} } }`;
export const nearMissQuery = `query($id: ID!) { nearMiss(id: $id) { ${nearMissFields} } }`;

type Ok = (query: string, variables: Record<string, unknown>, caller: Caller) => Promise<any>;

/**
 * Takes a just-reported medication near miss through acknowledgement (supervisor),
 * triage to a medication safety review (lead) and every gate item (supervisor),
 * ready for corrective actions; returns it as the last step left it.
 */
export async function triageThroughGates(
  ok: Ok,
  id: string,
  callers: { supervisor: Caller; lead: Caller },
  rationale: string,
): Promise<any> {
  let nearMiss = await ok(acknowledgeMutation, { id, v: 1 }, callers.supervisor);
  nearMiss = await ok(
    triageMutation,
    {
      input: {
        nearMissId: id,
        expectedVersion: nearMiss.version,
        route: 'MEDICATION_SAFETY_REVIEW',
        justCulture: 'SYSTEM_ISSUE',
        rationale,
      },
    },
    callers.lead,
  );
  for (const gate of nearMiss.gates as { key: string }[])
    nearMiss = await ok(gateMutation, { id, key: gate.key, v: nearMiss.version }, callers.supervisor);
  return nearMiss;
}
