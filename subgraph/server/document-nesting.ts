/**
 * Brackets (`{`, `[`, `(`) a GraphQL document may nest. graphql-js parses,
 * validates and executes recursively, so a 3,000-deep list literal overflowed
 * the stack ("Maximum call stack size exceeded"). The deepest real documents
 * (depth 12 with an inline fragment at every level and a nested filter) stay
 * far below this.
 */
export const maxDocumentNesting = 100;

/**
 * How deep the document's brackets nest, counted without parsing (strings,
 * block strings and comments skipped), stopping once past `limit`: linear
 * time and constant stack, whatever the input. Unbalanced brackets are the
 * parser's to report.
 */
export function documentNesting(document: string, limit = maxDocumentNesting): number {
  let depth = 0;
  let deepest = 0;
  for (let index = 0; index < document.length; index++) {
    const character = document[index];
    if (character === '#') {
      while (index < document.length && document[index] !== '\n' && document[index] !== '\r') index++;
    } else if (character === '"') {
      if (document.startsWith('"""', index)) {
        const end = findBlockStringEnd(document, index + 3);
        index = end < 0 ? document.length : end + 2;
      } else {
        index++;
        while (index < document.length && document[index] !== '"' && document[index] !== '\n') {
          if (document[index] === '\\') index++;
          index++;
        }
      }
    } else if (character === '{' || character === '[' || character === '(') {
      depth++;
      if (depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if ((character === '}' || character === ']' || character === ')') && depth > 0) {
      depth--;
    }
  }
  return deepest;
}

// Where the block string from `from` closes (`\"""` is an escaped quote), or -1.
function findBlockStringEnd(document: string, from: number): number {
  for (let index = from; index < document.length; index++) {
    if (document.startsWith('\\"""', index)) index += 3;
    else if (document.startsWith('"""', index)) return index;
  }
  return -1;
}
