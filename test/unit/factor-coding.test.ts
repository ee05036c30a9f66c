import {
  codeFactors,
  factorSignature,
  newFactorCode,
  shippedFactors,
  taxonomyOf,
  unknownCodes,
} from '../../subgraph/contributing-factors/factor-coding';
import { builtInCategories } from '../../plugins';

describe('the shipped taxonomy', () => {
  it('has unique codes, every parent before its children, and codes that extend their parent', () => {
    const codes = shippedFactors.map((factor) => factor.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const [index, factor] of shippedFactors.entries()) {
      if (!factor.parentCode) continue;
      expect(codes.indexOf(factor.parentCode)).toBeLessThan(index);
      expect(factor.code.startsWith(`${factor.parentCode}.`)).toBe(true);
    }
  });

  it('codes every factor a built-in category offers on its form', () => {
    const offered = builtInCategories.flatMap((category) => category.contributingFactors ?? []);
    expect(codeFactors(offered, shippedFactors).otherTexts).toEqual([]);
  });
});

describe('codeFactors', () => {
  it.each([
    ['handover rushed', 'COMMUNICATION.HANDOVER'],
    ['Rushed handover.', 'COMMUNICATION.HANDOVER'],
    ['  handover   RUSHED ', 'COMMUNICATION.HANDOVER'],
    ['MAR layout unclear', 'COMMUNICATION.RECORDS'],
    ['transport change sent to one worker’s phone', 'COMMUNICATION.CHANGE_NOT_PASSED_ON'],
    ['Handover', 'COMMUNICATION.HANDOVER'],
    ['Workload', 'STAFFING.WORKLOAD'],
  ])('codes "%s" as %s', (text, code) => {
    expect(codeFactors([text], shippedFactors)).toEqual({ codes: [code], otherTexts: [] });
  });

  it('keeps text that matches nothing as OTHER, once per code, and skips blanks', () => {
    expect(
      codeFactors(['the lift was broken', 'handover rushed', 'rushed handover', ' ', 'new boiler'], shippedFactors),
    ).toEqual({
      codes: ['OTHER', 'COMMUNICATION.HANDOVER'],
      otherTexts: ['the lift was broken', 'new boiler'],
    });
  });

  it("matches a provider's own factors by their label", () => {
    const taxonomy = taxonomyOf([
      { code: 'COMMUNICATION.PHONE_MESSAGES', label: 'Phone messages', parentCode: 'COMMUNICATION' },
    ]);
    expect(codeFactors(['messages phone'], taxonomy).codes).toEqual(['COMMUNICATION.PHONE_MESSAGES']);
    expect(unknownCodes(['COMMUNICATION.PHONE_MESSAGES', 'NOPE'], taxonomy)).toEqual(['NOPE']);
  });

  it('signs text by its words in any order, case and punctuation aside', () => {
    expect(factorSignature('Rushed, HANDOVER!')).toBe(factorSignature('handover rushed'));
    expect(factorSignature("worker's phone")).toBe(factorSignature('worker’s phone'));
  });
});

describe('newFactorCode', () => {
  it.each([
    ['COMMUNICATION', 'Phone messages', 'COMMUNICATION.PHONE_MESSAGES'],
    [null, 'Night staffing', 'NIGHT_STAFFING'],
    ['STAFF', 'Café rota — weekend', 'STAFF.CAFE_ROTA_WEEKEND'],
    ['STAFF', '!!!', undefined],
  ])('under %s, "%s" is %s', (parent, label, code) => {
    expect(newFactorCode(parent, label)).toBe(code);
  });
});
