import { inputHygieneProblems, maxInputDepth } from '../../subgraph/common/input-hygiene';

const nested = (depth: number) => {
  let value: unknown = 'bottom';
  for (let level = 0; level < depth; level++) value = { a: value };
  return value;
};

describe('inputHygieneProblems', () => {
  it('accepts ordinary text, emoji, combining marks and right-to-left text', () => {
    expect(
      inputHygieneProblems({
        whatHappened: 'Levodopa 👩‍⚕️ e\u0301 ‏שלום',
        list: ['a', 'b'],
        details: { n: 1, at: new Date() },
      }),
    ).toEqual([]);
  });

  it.each([
    ['a NUL character', 'before\u0000after', 'may not contain NUL characters'],
    ['a lone high surrogate', 'x\ud800y', 'is not valid Unicode (unpaired surrogate)'],
    ['a lone low surrogate', 'x\udc00', 'is not valid Unicode (unpaired surrogate)'],
    ['a reversed pair', '\udc00\ud800', 'is not valid Unicode (unpaired surrogate)'],
  ])('names the field holding %s', (_case, text, message) => {
    expect(inputHygieneProblems({ details: { notes: [text] } })).toEqual([{ path: 'details.notes.0', message }]);
  });

  it('refuses keys PostgreSQL cannot store', () => {
    expect(inputHygieneProblems({ details: { 'bad\u0000key': 1 } })).toEqual([
      { path: 'details', message: 'has a key that may not contain NUL characters' },
    ]);
  });

  it(`allows ${maxInputDepth} levels and refuses deeper, even 100,000 levels, without overflowing the stack`, () => {
    expect(inputHygieneProblems(nested(maxInputDepth))).toEqual([]);
    expect(inputHygieneProblems(nested(maxInputDepth + 1))).toEqual([
      { path: Array(maxInputDepth).fill('a').join('.'), message: `is nested more than ${maxInputDepth} levels deep` },
    ]);
    expect(inputHygieneProblems({ details: nested(100_000) })).toHaveLength(1);
  });

  it('prefixes paths and caps the number of problems', () => {
    expect(inputHygieneProblems('\u0000', ['idempotencyKey'])).toEqual([
      { path: 'idempotencyKey', message: 'may not contain NUL characters' },
    ]);
    expect(inputHygieneProblems(Array.from({ length: 1000 }, () => '\u0000'))).toHaveLength(20);
  });
});

import { redactQuoted } from '../../subgraph/server/format-error';

describe('log redaction', () => {
  it('keeps the shape of an error message but never the quoted values', () => {
    expect(redactQuoted('QueryFailedError: invalid input syntax for type uuid: "Ada Lovelace fell"')).toBe(
      'QueryFailedError: invalid input syntax for type uuid: "…"',
    );
    expect(redactQuoted(`value 'person-9' and "a \\"quoted\\" note"`)).toBe('value "…" and "…"');
  });
});
