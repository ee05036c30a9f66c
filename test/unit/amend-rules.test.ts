import { Role } from '../../subgraph/auth/role';
import type { Principal } from '../../subgraph/auth/principal';
import {
  amendRefusal,
  changedFields,
  changeRecord,
  type AmendableFields,
} from '../../subgraph/near-misses/amend-rules';
import { stageProblems } from '../../subgraph/lifecycle/lifecycle.service';

const principal = (staffId: string, roles: Role[]): Principal => ({
  staffId,
  tenantId: 't',
  roles,
  services: ['north'],
});

describe('who may correct a report', () => {
  it.each([
    ['its reporter before triage', principal('staff-7', [Role.REPORTER]), 'ACKNOWLEDGED', undefined],
    ['its reporter once reported', principal('staff-7', [Role.REPORTER]), 'REPORTED', undefined],
    [
      'its reporter after triage',
      principal('staff-7', [Role.REPORTER]),
      'TRIAGED',
      'The report is TRIAGED: after triage, a triage lead corrects it',
    ],
    [
      'another reporter',
      principal('staff-8', [Role.REPORTER]),
      'REPORTED',
      'Only the reporter or a triage lead may correct a report',
    ],
    [
      'a supervisor who did not report it',
      principal('staff-9', [Role.SUPERVISOR]),
      'REPORTED',
      'Only the reporter or a triage lead may correct a report',
    ],
    ['a triage lead after triage', principal('staff-20', [Role.TRIAGE_LEAD]), 'ACTIONS_IN_PROGRESS', undefined],
    ['a medication lead before triage', principal('staff-21', [Role.MEDICATION_LEAD]), 'REPORTED', undefined],
    ['a manager once closed', principal('staff-30', [Role.MANAGER]), 'CLOSED', undefined],
  ] as const)('%s', (_case, caller, status, refusal) => {
    expect(amendRefusal(caller, { reportedById: 'staff-7', status })).toBe(refusal);
  });
});

describe('what an amendment changes and records', () => {
  const before: AmendableFields = {
    category: 'mealtime',
    details: { issueType: 'WRONG_TEXTURE', correction: 'Re-made by Ann for Mrs A', supervisorReviewed: true },
    workflowStage: null,
    contributingFactorCodes: ['OTHER'],
    potentialHarm: 'MODERATE',
  };

  it('lists only the fields whose value changes, in a stable order', () => {
    const after = {
      ...before,
      potentialHarm: 'SEVERE' as const,
      workflowStage: 'HANDOVER' as const,
      details: { ...before.details },
    };
    expect(changedFields(before, after)).toEqual(['workflowStage', 'potentialHarm']);
    expect(
      changedFields(before, {
        ...before,
        details: { supervisorReviewed: true, issueType: 'WRONG_TEXTURE', correction: 'Re-made by Ann for Mrs A' },
      }),
    ).toEqual([]);
  });

  it('records coded values before and after, and only the names of changed details (no free text)', () => {
    const after = {
      ...before,
      details: { ...before.details, correction: 'Re-made at level 5 by Ann', supervisorReviewed: false },
      contributingFactorCodes: ['COMMUNICATION.HANDOVER'],
    };
    const fields = changedFields(before, after);
    const record = changeRecord(before, after, fields);
    expect(record).toEqual({
      details: { changed: ['correction', 'supervisorReviewed'] },
      contributingFactorCodes: { from: ['OTHER'], to: ['COMMUNICATION.HANDOVER'] },
    });
    expect(JSON.stringify(record)).not.toContain('Ann');
  });
});

describe('a workflow stage before triage completes', () => {
  it('is required when the setting is on and the report names none', () => {
    expect(stageProblems(undefined, true)).toEqual([
      { path: 'workflowStage', message: expect.stringContaining('amendNearMiss') },
    ]);
    expect(stageProblems('HANDOVER', true)).toEqual([]);
    expect(stageProblems(null, false)).toEqual([]);
  });
});
