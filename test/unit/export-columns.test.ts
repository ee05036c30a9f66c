import { csvCell, exportColumns, exportColumnsFor } from '../../subgraph/exports/export-columns';

describe('csvCell', () => {
  it.each([
    ['=1+1', "'=1+1"],
    ['+44 20 7946 0000', "'+44 20 7946 0000"],
    ['-2', "'-2"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tindented', "'\tindented"],
    ['\rreturn', "'\rreturn"],
    ['plain, with "quotes"', 'plain, with "quotes"'],
    ['a=b', 'a=b'],
  ])('escapes %j as %j', (input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });

  it('joins lists, checks the joined start, and prints numbers, flags and nulls plainly', () => {
    expect(csvCell(['=a', 'b'])).toBe("'=a; b");
    expect(csvCell(['a', '=b'])).toBe('a; =b');
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell(true)).toBe('true');
    expect(csvCell(null)).toBe('');
  });
});

describe('export columns', () => {
  const protection = (withhold: boolean) => ({
    withholdFreeText: withhold,
    pseudonymisePeople: withhold,
    secret: 's',
    tenantId: 't',
  });
  it('leave every free-text column out for callers who see pseudonyms', () => {
    const names = exportColumnsFor(protection(true)).map((column) => column.name);
    expect(names).not.toContain('what_happened');
    expect(names).toContain('person_id');
    expect(exportColumnsFor(protection(false))).toEqual(exportColumns);
  });
});
