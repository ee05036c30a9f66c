import { reclassificationRefusal } from '../../subgraph/reclassification/reclassification-rules';

describe('reclassificationRefusal', () => {
  it('lets a near miss be reclassified once', () => {
    expect(reclassificationRefusal({ reference: 'NM-2026-000001' })).toBeUndefined();
  });

  it('refuses a second reclassification, naming when the first was', () => {
    const record = { at: new Date('2026-11-30T10:00:00Z'), byId: 'staff-1', harm: 'LOW' as const, reason: 'r' };
    expect(reclassificationRefusal({ reference: 'NM-2026-000001', reclassificationRecord: record })).toBe(
      'Near miss NM-2026-000001 was already reclassified as an incident on 2026-11-30T10:00:00.000Z',
    );
  });
});
