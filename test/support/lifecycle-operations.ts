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
