/** A valid medication report (the seed's "MAR signed for the wrong time"); override what a test needs. */
export function medicationReport(overrides: Record<string, unknown> = {}, details: Record<string, unknown> = {}) {
  return {
    serviceId: 'north',
    category: 'medication',
    occurredAt: new Date(Date.now() - 60 * 60 * 1000).toISOString(),
    setting: 'HOME_VISIT',
    whatHappened: 'The 08:00 levodopa dose was signed in the 12:00 slot of the MAR.',
    howDetected: 'The lunchtime carer compared the MAR with the blister pack before giving the dose.',
    whatPreventedHarm: 'The carer checked the blister pack and saw the morning dose had been given.',
    preventionReliability: 'INDIVIDUAL_VIGILANCE',
    immediateActions: ['Held the lunchtime dose', 'Called the on-call nurse'],
    whatMadeThisPossible: 'The MAR rows for 08:00 and 12:00 sit next to each other with no time label.',
    contributingFactors: ['MAR layout unclear'],
    workflowStage: 'DOCUMENTATION',
    potentialHarm: 'MODERATE',
    personId: 'person-1',
    details: {
      medicationName: 'Levodopa 100mg',
      scheduledTime: '08:00',
      discrepancyType: 'MAR_WRONG_TIME',
      timeCritical: true,
      clinicalAdviceSought: true,
      supervisorNotified: true,
      errorReached: 'ERROR_CAUGHT_BEFORE_PERSON',
      ...details,
    },
    ...overrides,
  };
}

export const reportMutation = /* GraphQL */ `
  mutation Report($input: ReportNearMissInput!, $key: String!) {
    reportNearMiss(input: $input, idempotencyKey: $key) {
      replayed
      sameDay
      suggestedRoute
      nearMiss {
        id
        reference
        status
        version
        serviceId
        occurredAt
        details
        category {
          key
        }
        person {
          id
        }
        reportedBy {
          id
        }
      }
    }
  }
`;

let keys = 0;
export const newKey = () => `key-${process.pid}-${Date.now()}-${++keys}`;
