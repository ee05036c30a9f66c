import fc from 'fast-check';

interface PropertySchema {
  type?: string;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  items?: PropertySchema;
}

const wrongValues = fc.constantFrom<unknown>(null, 'unexpected', 42, 4.5, true, [], {});

// Text a person could type, in any script, including blanks and padding; never NUL
// or an unpaired surrogate, which every text input of the API refuses before any
// schema (see inputHygieneProblems).
const typedText = (maxLength: number): fc.Arbitrary<string> =>
  fc
    .oneof(
      { weight: 6, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: Math.min(maxLength, 40) }) },
      { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: maxLength - 2, maxLength: maxLength + 2 }) },
      { weight: 1, arbitrary: fc.constantFrom('', ' ', '\t\n', '\u00a0') },
      {
        weight: 1,
        arbitrary: fc
          .string({ unit: 'grapheme', minLength: 1, maxLength: 6 })
          .map((core) => `  ${core.padEnd(maxLength - 1, 'x')}  `),
      },
    )
    .map((value) => value.replaceAll('\u0000', ''));

/** Values of one field: mostly plausible, some just over a limit. */
function plausible(property: PropertySchema): fc.Arbitrary<unknown> {
  if (Array.isArray(property.enum)) return fc.constantFrom(...property.enum);
  switch (property.type) {
    case 'boolean':
      return fc.boolean();
    case 'integer': {
      const min = property.minimum ?? -1000;
      const max = property.maximum ?? 1000;
      return fc.oneof(
        { weight: 8, arbitrary: fc.integer({ min: min - 1, max: max + 1 }) },
        { weight: 1, arbitrary: fc.double({ min, max, noNaN: true }) },
      );
    }
    case 'number': {
      const min = property.minimum ?? -1000;
      const max = property.maximum ?? 1000;
      return fc.double({ min: min - 1, max: max + 1, noNaN: true, noDefaultInfinity: true });
    }
    case 'string':
      if (property.pattern)
        return fc.oneof(
          { weight: 4, arbitrary: fc.stringMatching(new RegExp(property.pattern)) },
          { weight: 1, arbitrary: typedText(property.maxLength ?? 30) },
        );
      return typedText(property.maxLength ?? 200);
    case 'array': {
      const items = property.items ? plausible(property.items) : wrongValues;
      return fc.array(items, {
        minLength: Math.max(0, (property.minItems ?? 0) - 1),
        maxLength: (property.maxItems ?? 5) + 1,
      });
    }
    default:
      return wrongValues;
  }
}

/**
 * Candidate `details` for a category, generated from its published JSON Schema:
 * each field mostly plausible, sometimes left out or of the wrong kind, and
 * sometimes an extra key. Candidates fall on both sides of the schema, so a test
 * can filter them into accepted and rejected ones.
 */
export function candidateDetails(fieldsSchema: Record<string, unknown>): fc.Arbitrary<Record<string, unknown>> {
  const properties = (fieldsSchema.properties ?? {}) as Record<string, PropertySchema>;
  const fields = Object.fromEntries(
    Object.entries(properties).map(([name, property]) => [
      name,
      fc.oneof(
        { weight: 14, arbitrary: plausible(property) },
        { weight: 1, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: wrongValues },
      ),
    ]),
  );
  return fc
    .tuple(
      fc.record(fields),
      fc.oneof({ weight: 9, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom('note', 'extra') }),
    )
    .map(([record, extra]) => {
      const details = Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
      if (extra) details[extra] = 'not a field of this category';
      return details;
    });
}
