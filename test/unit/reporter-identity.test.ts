import {
  anonymousClaimKey,
  hiddenReporterOf,
  normaliseReceipt,
  receiptHashOf,
  receiptOf,
  visibleReporterId,
  type ReporterVisibility,
} from '../../subgraph/near-misses/reporter-identity';

const secret = 'a-secret-of-the-server';
const lead: ReporterVisibility = { self: 'lead-1', everyCategory: true, categories: [] };
const supervisor: ReporterVisibility = { self: 'sup-1', everyCategory: false, categories: [] };
const safeguardingLead: ReporterVisibility = { self: 'sg-1', everyCategory: false, categories: ['safeguarding'] };
const report = (identity: 'NAMED' | 'CONFIDENTIAL' | 'ANONYMOUS', categoryKey = 'medication') => ({
  identity,
  reportedById: identity === 'ANONYMOUS' ? null : 'reporter-1',
  categoryKey,
});

describe('visibleReporterId', () => {
  it('shows a named reporter to everyone', () => {
    expect(visibleReporterId(supervisor, report('NAMED'))).toEqual({ id: 'reporter-1', identified: true });
  });

  it('shows a confidential reporter to triage leads and managers, the category restricted roles and the reporter alone', () => {
    expect(visibleReporterId(lead, report('CONFIDENTIAL'))).toEqual({ id: 'reporter-1', identified: true });
    expect(visibleReporterId(supervisor, report('CONFIDENTIAL'))).toEqual({ id: 'confidential', identified: false });
    expect(visibleReporterId(safeguardingLead, report('CONFIDENTIAL')).id).toBe('confidential');
    expect(visibleReporterId(safeguardingLead, report('CONFIDENTIAL', 'safeguarding')).id).toBe('reporter-1');
    expect(visibleReporterId({ ...supervisor, self: 'reporter-1' }, report('CONFIDENTIAL')).id).toBe('reporter-1');
  });

  it('shows nobody an anonymous reporter', () => {
    for (const caller of [lead, supervisor, safeguardingLead]) {
      expect(visibleReporterId(caller, report('ANONYMOUS'))).toEqual({ id: 'anonymous', identified: false });
    }
  });

  it('hides a confidential reporter from the trail of callers who may not see them, and nothing else', () => {
    expect(hiddenReporterOf(supervisor, report('CONFIDENTIAL'))).toBe('reporter-1');
    expect(hiddenReporterOf(lead, report('CONFIDENTIAL'))).toBeUndefined();
    expect(hiddenReporterOf(supervisor, report('NAMED'))).toBeUndefined();
    expect(hiddenReporterOf(supervisor, report('ANONYMOUS'))).toBeUndefined();
  });
});

describe('receipts', () => {
  const receipt = receiptOf(secret, 'tenant-a', 'staff-1', 'key-1', 'hash-1');

  it('is 20 base32 letters in groups, the same for the same report and different for any other', () => {
    expect(receipt).toMatch(/^R-([A-Z2-7]{4}-){4}[A-Z2-7]{4}$/);
    expect(receiptOf(secret, 'tenant-a', 'staff-1', 'key-1', 'hash-1')).toBe(receipt);
    for (const other of [
      receiptOf(secret, 'tenant-b', 'staff-1', 'key-1', 'hash-1'),
      receiptOf(secret, 'tenant-a', 'staff-2', 'key-1', 'hash-1'),
      receiptOf(secret, 'tenant-a', 'staff-1', 'key-2', 'hash-1'),
      receiptOf(secret, 'tenant-a', 'staff-1', 'key-1', 'hash-2'),
      receiptOf('another-secret', 'tenant-a', 'staff-1', 'key-1', 'hash-1'),
    ]) {
      expect(other).not.toBe(receipt);
    }
  });

  it('is looked up by a keyed hash per tenant, however it is typed, and text that is no receipt has none', () => {
    const stored = receiptHashOf(secret, 'tenant-a', receipt)!;
    expect(stored).not.toContain(receipt.replace(/-/g, '').slice(1));
    expect(receiptHashOf(secret, 'tenant-a', receipt.toLowerCase().replace(/-/g, ' '))).toBe(stored);
    expect(receiptHashOf(secret, 'tenant-a', receipt.slice(2))).toBe(stored);
    expect(receiptHashOf(secret, 'tenant-b', receipt)).not.toBe(stored);
    expect(receiptHashOf(secret, 'tenant-a', 'R-1234')).toBeUndefined();
    expect(normaliseReceipt('not a receipt at all')).toBeUndefined();
    expect(normaliseReceipt('')).toBeUndefined();
  });

  it("claims an anonymous report's idempotency key under a digest that needs the key to test a reporter", () => {
    const digest = anonymousClaimKey(secret, 'tenant-a', 'staff-1', 'key-1');
    expect(digest).not.toContain('staff-1');
    expect(anonymousClaimKey(secret, 'tenant-a', 'staff-1', 'key-1')).toBe(digest);
    expect(anonymousClaimKey(secret, 'tenant-a', 'staff-2', 'key-1')).not.toBe(digest);
    expect(anonymousClaimKey(secret, 'tenant-a', 'staff-1', 'key-2')).not.toBe(digest);
  });
});
