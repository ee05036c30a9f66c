import { createHash } from 'node:crypto';
import { auditRowHash, genesisHash, type ChainedAuditRow } from '../../subgraph/audit/audit-hash';

const row: ChainedAuditRow = {
  tenantId: 'tenant-a',
  seq: 1,
  nearMissId: '3f1c2a4e-8b7d-4c55-9a1e-2f6b8d0c4e71',
  at: new Date('2026-03-04T05:06:07.089Z'),
  actor: 'staff-7',
  action: 'near_miss.reported',
  detail: { sameDay: true, reference: 'NM-2026-000001' },
  prevHash: genesisHash,
};

describe('auditRowHash', () => {
  it('is sha256 over the sorted-key JSON of the row and the previous hash (a persisted format: this value must never change)', () => {
    const text =
      '{"action":"near_miss.reported","actor":"staff-7","at":"2026-03-04T05:06:07.089Z","detail":{"reference":"NM-2026-000001","sameDay":true},' +
      `"nearMissId":"3f1c2a4e-8b7d-4c55-9a1e-2f6b8d0c4e71","prevHash":"${'0'.repeat(64)}","seq":1,"tenantId":"tenant-a"}`;
    expect(auditRowHash(row)).toBe(createHash('sha256').update(text).digest('hex'));
    expect(auditRowHash(row)).toBe('df504dfae8f419c4ab9bd6ef3b20aabe033ddd94b4615c8b283ad94019de4062');
  });

  it('does not depend on the key order of the detail', () => {
    expect(auditRowHash({ ...row, detail: { reference: 'NM-2026-000001', sameDay: true } })).toBe(auditRowHash(row));
  });

  it.each<[string, Partial<ChainedAuditRow>]>([
    ['tenant', { tenantId: 'tenant-b' }],
    ['sequence number', { seq: 2 }],
    ['near miss', { nearMissId: null }],
    ['time (one millisecond)', { at: new Date('2026-03-04T05:06:07.090Z') }],
    ['actor', { actor: null }],
    ['action', { action: 'near_miss.closed' }],
    ['detail', { detail: { sameDay: false, reference: 'NM-2026-000001' } }],
    ['missing detail', { detail: null }],
    ['previous hash', { prevHash: 'a'.repeat(64) }],
  ])('changes when the %s changes', (_field, change) => {
    expect(auditRowHash({ ...row, ...change })).not.toBe(auditRowHash(row));
  });
});
