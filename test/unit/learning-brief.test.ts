import { learningBriefItems } from '../../subgraph/governance/learning-brief';

const labels: Record<string, string> = { medication: 'Medication', rota: 'Rota and staffing' };
const labelOf = (key: string) => labels[key] ?? key;

describe('learningBriefItems', () => {
  it("says what a concluded review saw and what changed: its done actions' titles, else its causes", () => {
    const review = {
      category: 'medication',
      reason: '3 medication near misses at the handover stage in service north in 14 days',
      serviceId: 'north',
      causes: ['HANDOVER', 'STAFFING_SKILL_MIX'],
      doneActionTitles: ['Written handover of pharmacy changes', 'Pharmacy changes on the MAR the same day'],
    };
    expect(learningBriefItems([review], [], labelOf)).toEqual([
      {
        theme: 'Medication',
        whatWeSaw: review.reason,
        whatChanged: 'Written handover of pharmacy changes; Pharmacy changes on the MAR the same day',
        services: ['north'],
      },
    ]);
    expect(learningBriefItems([{ ...review, doneActionTitles: [] }], [], labelOf)[0].whatChanged).toBe(
      'We looked into it and found: handover, staffing skill mix',
    );
    expect(learningBriefItems([{ ...review, doneActionTitles: [], causes: [] }], [], labelOf)[0].whatChanged).toBe(
      'We looked into it; the actions are under way',
    );
  });

  it('says what an effective action answered in counts and kinds', () => {
    const action = {
      title: 'Agency induction covers our MAR',
      serviceIds: ['south', 'north'],
      categories: ['medication', 'rota'],
      nearMissCount: 4,
    };
    expect(learningBriefItems([], [action], labelOf)).toEqual([
      {
        theme: 'Medication, Rota and staffing',
        whatWeSaw: '4 near misses reported (medication, rota and staffing)',
        whatChanged: 'Agency induction covers our MAR (checked and found to work)',
        services: ['north', 'south'],
      },
    ]);
    expect(learningBriefItems([], [{ ...action, nearMissCount: 1 }], labelOf)[0].whatWeSaw).toBe(
      '1 near miss reported (medication, rota and staffing)',
    );
  });
});
