import { documentNesting, maxDocumentNesting } from '../../subgraph/server/document-nesting';

describe('documentNesting', () => {
  it.each([
    ['{ viewer { staffId } }', 2],
    ['query($f: F) { a(f: { b: [[1]] }) { c } }', 5],
    ['', 0],
    ['}}}]]])))', 0],
    ['{ a(s: "{{{[[[((") }', 2],
    ['{ a(s: "\\"{{{") }', 2],
    ['{ a(s: """{{{ \\""" [[[ """) }', 2],
    ['# {{{{{\n{ a }', 1],
    ['# {{{{{\r{ a }', 1],
    ['{ a(s: "unterminated\n{{{ }', 5],
    ['{ a(s: """unterminated {{{', 2],
  ])('%j nests %d deep', (document, depth) => {
    expect(documentNesting(document)).toBe(depth);
  });

  it('stops counting just past the limit, so a 100,000-deep document costs one pass at most', () => {
    expect(documentNesting('['.repeat(100_000))).toBe(maxDocumentNesting + 1);
    expect(documentNesting('['.repeat(maxDocumentNesting))).toBe(maxDocumentNesting);
    expect(documentNesting('['.repeat(50), 10)).toBe(11);
  });
});
