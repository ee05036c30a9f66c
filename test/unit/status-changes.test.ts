import type { Principal } from '../../subgraph/auth/principal';
import type { NearMiss } from '../../subgraph/near-misses/near-miss.type';
import { ChangeLog, feedbackEvent } from '../../subgraph/status-changes/status-change.service';

const nearMiss = (id: string) =>
  ({
    id,
    tenantId: 't1',
    reference: `NM-${id}`,
    serviceId: 's1',
    categoryKey: 'medication',
    reportedById: 'reporter-1',
    identity: 'NAMED',
  }) as NearMiss;
const lead = { staffId: 'lead-1' } as Principal;

describe('feedbackEvent', () => {
  it('names only a NAMED reporter: integrations may not see a confidential one, and an anonymous one is stored nowhere', () => {
    expect(feedbackEvent(nearMiss('a'), 'ACKNOWLEDGED').payload).toMatchObject({ reporterId: 'reporter-1' });
    for (const identity of ['CONFIDENTIAL', 'ANONYMOUS'] as const) {
      const payload = feedbackEvent({ ...nearMiss('a'), identity }, 'ACKNOWLEDGED').payload;
      expect(payload).toEqual({
        reference: 'NM-a',
        reporterId: null,
        reporterIdentity: identity,
        kind: 'ACKNOWLEDGED',
      });
    }
  });
});

describe('ChangeLog', () => {
  it('keeps audit entries and events in the order the changes happened, the feedback event after its change', () => {
    const log = new ChangeLog()
      .change(lead, nearMiss('a'), {
        action: 'near_miss.reopened',
        detail: { reason: 'x' },
        event: { status: 'REOPENED' },
        feedback: 'REOPENED',
      })
      .change(undefined, nearMiss('b'), { action: 'near_miss.verification_started', detail: {} });
    expect(log.audit).toEqual([
      { tenantId: 't1', nearMissId: 'a', actor: 'lead-1', action: 'near_miss.reopened', detail: { reason: 'x' } },
      { tenantId: 't1', nearMissId: 'b', actor: undefined, action: 'near_miss.verification_started', detail: {} },
    ]);
    expect(log.events).toEqual([
      {
        tenantId: 't1',
        type: 'near_miss.reopened',
        aggregateId: 'a',
        payload: { reference: 'NM-a', serviceId: 's1', category: 'medication', status: 'REOPENED' },
      },
      {
        tenantId: 't1',
        type: 'reporter_feedback.sent',
        aggregateId: 'a',
        payload: { reference: 'NM-a', reporterId: 'reporter-1', reporterIdentity: 'NAMED', kind: 'REOPENED' },
      },
      {
        tenantId: 't1',
        type: 'near_miss.verification_started',
        aggregateId: 'b',
        payload: { reference: 'NM-b', serviceId: 's1', category: 'medication' },
      },
    ]);
  });
});
