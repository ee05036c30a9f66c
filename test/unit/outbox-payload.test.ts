import type { EntityManager } from 'typeorm';
import { enqueueEvent } from '../../subgraph/outbox/outbox';

/** A manager that records statements instead of running them. */
function recordingManager() {
  const statements: { sql: string; parameters: unknown[] }[] = [];
  const manager = {
    query: (sql: string, parameters: unknown[]) => (statements.push({ sql, parameters }), Promise.resolve()),
  } as unknown as EntityManager;
  return { manager, statements };
}

const event = (payload: Record<string, unknown>) => ({
  tenantId: 'tenant-a',
  type: 'near_miss.closed',
  aggregateId: '3f1c2a4e-8b7d-4c55-9a1e-2f6b8d0c4e71',
  payload,
});

describe('enqueueEvent', () => {
  it("writes the event and its deliveries in one statement of the caller's transaction", async () => {
    const { manager, statements } = recordingManager();
    await enqueueEvent(manager, event({ reference: 'NM-2026-000001', status: 'CLOSED' }));
    expect(statements).toHaveLength(1);
    expect(statements[0].sql).toMatch(/INSERT INTO outbox_event[\s\S]*INSERT INTO webhook_delivery/);
    expect(statements[0].parameters).toEqual([
      ['tenant-a'],
      ['near_miss.closed'],
      ['3f1c2a4e-8b7d-4c55-9a1e-2f6b8d0c4e71'],
      ['{"reference":"NM-2026-000001","status":"CLOSED"}'],
    ]);
  });

  it('writes several events in order in one statement, and none when given none', async () => {
    const { manager, statements } = recordingManager();
    await enqueueEvent(manager, [event({ step: 1 }), { ...event({ step: 2 }), type: 'near_miss.reopened' }]);
    await enqueueEvent(manager, []);
    expect(statements).toHaveLength(1);
    expect(statements[0].parameters.slice(1, 2)).toEqual([['near_miss.closed', 'near_miss.reopened']]);
    expect(statements[0].parameters[3]).toEqual(['{"step":1}', '{"step":2}']);
  });

  it('refuses the whole batch when one event carries free text', async () => {
    const { manager, statements } = recordingManager();
    await expect(enqueueEvent(manager, [event({ step: 1 }), event({ note: 'Called the GP' })])).rejects.toThrow(
      'free-text fields (payload.note)',
    );
    expect(statements).toEqual([]);
  });

  it.each([
    [{ reference: 'NM-2026-000001', outcome: 'We changed the MAR layout' }, 'payload.outcome'],
    [{ feedback: { kind: 'MANUAL', message: 'Thanks for reporting' } }, 'payload.feedback.message'],
    [
      { changes: [{ field: 'status' }, { whatHappened: 'The dose was signed twice' }] },
      'payload.changes[1].whatHappened',
    ],
  ])('refuses free text from reports (%j) before writing anything', async (payload, path) => {
    const { manager, statements } = recordingManager();
    await expect(enqueueEvent(manager, event(payload))).rejects.toThrow(`free-text fields (${path})`);
    expect(statements).toEqual([]);
  });
});
