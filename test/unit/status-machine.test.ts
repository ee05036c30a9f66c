import { Role, allRoles } from '../../subgraph/auth/role';
import { nearMissStatuses, type NearMissStatusValue } from '../../subgraph/domain/vocabulary';
import { decideTransition, transitions, type LifecycleAction } from '../../subgraph/status-changes/status-machine';

const {
  REPORTER,
  SUPERVISOR,
  TRIAGE_LEAD,
  MEDICATION_LEAD,
  SAFEGUARDING_LEAD,
  MANAGER,
  GOVERNANCE,
  ANALYST,
  ADMIN,
  INTEGRATION,
} = Role;
const leadsAndUp = [TRIAGE_LEAD, MEDICATION_LEAD, SAFEGUARDING_LEAD, MANAGER, ADMIN];

// The expected machine, written out independently of the implementation's table.
const legal: Record<LifecycleAction, { from: NearMissStatusValue[]; to: NearMissStatusValue; roles: Role[] }> = {
  acknowledge: { from: ['REPORTED'], to: 'ACKNOWLEDGED', roles: [SUPERVISOR, ...leadsAndUp] },
  triage: { from: ['ACKNOWLEDGED', 'REOPENED'], to: 'TRIAGED', roles: leadsAndUp },
  startActions: { from: ['TRIAGED', 'VERIFYING'], to: 'ACTIONS_IN_PROGRESS', roles: leadsAndUp },
  startVerification: { from: ['ACTIONS_IN_PROGRESS', 'TRIAGED'], to: 'VERIFYING', roles: leadsAndUp },
  close: { from: ['TRIAGED', 'ACTIONS_IN_PROGRESS', 'VERIFYING'], to: 'CLOSED', roles: leadsAndUp },
  reopen: { from: ['CLOSED', 'VERIFYING'], to: 'REOPENED', roles: leadsAndUp },
};

const actions = Object.keys(transitions) as LifecycleAction[];
const cases = actions.flatMap((action) =>
  nearMissStatuses.flatMap((status) => allRoles.map((role) => [action, status, role] as const)),
);

describe('status machine', () => {
  it('covers every action', () => {
    expect(actions.sort()).toEqual(Object.keys(legal).sort());
  });

  it.each(cases)('%s from %s as %s', (action, status, role) => {
    const decision = decideTransition(status, action, [role]);
    const rule = legal[action];
    if (!rule.roles.includes(role)) {
      expect(decision).toMatchObject({ allowed: false, reason: 'FORBIDDEN' });
    } else if (!rule.from.includes(status)) {
      expect(decision).toMatchObject({ allowed: false, reason: 'ILLEGAL' });
      if (!decision.allowed) expect(decision.message).toContain(status);
    } else {
      expect(decision).toEqual({ allowed: true, to: rule.to });
    }
  });

  it('never lets reporters, governance, analysts or integrations move a near miss', () => {
    for (const action of actions) {
      for (const role of [REPORTER, GOVERNANCE, ANALYST, INTEGRATION]) {
        expect(nearMissStatuses.some((status) => decideTransition(status, action, [role]).allowed)).toBe(false);
      }
    }
  });

  it('allows with any one permitted role among several', () => {
    expect(decideTransition('REPORTED', 'acknowledge', [REPORTER, SUPERVISOR])).toEqual({
      allowed: true,
      to: 'ACKNOWLEDGED',
    });
  });

  it('reaches CLOSED from REPORTED along the learning loop, and back through REOPENED', () => {
    const path: LifecycleAction[] = [
      'acknowledge',
      'triage',
      'startActions',
      'startVerification',
      'close',
      'reopen',
      'triage',
    ];
    let status: NearMissStatusValue = 'REPORTED';
    const seen: NearMissStatusValue[] = [status];
    for (const action of path) {
      const decision = decideTransition(status, action, [MANAGER]);
      if (!decision.allowed) throw new Error(decision.message);
      status = decision.to;
      seen.push(status);
    }
    expect(seen).toEqual([
      'REPORTED',
      'ACKNOWLEDGED',
      'TRIAGED',
      'ACTIONS_IN_PROGRESS',
      'VERIFYING',
      'CLOSED',
      'REOPENED',
      'TRIAGED',
    ]);
  });
});
