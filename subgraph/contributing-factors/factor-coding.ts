import { otherFactorCode, shippedTaxonomy, type ShippedFactor } from './taxonomy';

/** One factor of a provider's taxonomy: shipped, or added by the provider. */
export interface Factor {
  code: string;
  label: string;
  parentCode: string | null;
  phrases: readonly string[];
}

/** A factor a provider added (addContributingFactor). */
export interface AddedFactor {
  code: string;
  label: string;
  parentCode: string | null;
}

const flatten = (factors: readonly ShippedFactor[], parentCode: string | null): Factor[] =>
  factors.flatMap((factor) => [
    { code: factor.code, label: factor.label, parentCode, phrases: factor.phrases ?? [] },
    ...flatten(factor.children ?? [], factor.code),
  ]);

/** The shipped taxonomy, flat, parents before their children. */
export const shippedFactors: readonly Factor[] = flatten(shippedTaxonomy, null);

/** A provider may add at most this many factors. */
export const maxAddedFactors = 200;

/** The most factors a provider's taxonomy holds: shipped and added. */
export const maxTaxonomySize = shippedFactors.length + maxAddedFactors;

/** A provider's taxonomy: the shipped factors and the ones it added, each under its parent. */
export function taxonomyOf(added: readonly AddedFactor[]): Factor[] {
  return [...shippedFactors, ...added.map((factor) => ({ ...factor, phrases: [] }))];
}

/**
 * What two phrasings of one factor share: lower case, straight apostrophes,
 * punctuation as spaces, words in order, so "handover rushed", "Rushed
 * handover." and "rushed  HANDOVER" are one factor.
 */
export function factorSignature(text: string): string {
  return text
    .toLowerCase()
    .replace(/[’‘`]/g, "'")
    .replace(/[^\p{L}\p{N}']+/gu, ' ')
    .trim()
    .split(' ')
    .filter(Boolean)
    .sort()
    .join(' ');
}

/** Free-text factors as codes: matched by label or phrase, the rest coded OTHER and kept as written. */
export interface FactorCoding {
  codes: string[];
  /** The texts that matched no factor (their code is OTHER), trimmed. */
  otherTexts: string[];
}

/** The leaf or group whose label or phrase has this text's signature. */
export function signatureIndex(taxonomy: readonly Factor[]): Map<string, string> {
  const index = new Map<string, string>();
  for (const factor of taxonomy) {
    if (factor.code === otherFactorCode) continue;
    for (const phrase of [factor.label, ...factor.phrases]) {
      const signature = factorSignature(phrase);
      if (signature && !index.has(signature)) index.set(signature, factor.code);
    }
  }
  return index;
}

export function codeFactors(texts: readonly string[], taxonomy: readonly Factor[]): FactorCoding {
  const index = signatureIndex(taxonomy);
  const codes: string[] = [];
  const otherTexts: string[] = [];
  for (const text of texts) {
    const code = index.get(factorSignature(text));
    if (code) codes.push(code);
    else if (text.trim()) {
      codes.push(otherFactorCode);
      otherTexts.push(text.trim());
    }
  }
  return { codes: [...new Set(codes)], otherTexts };
}

/** Codes that are not in the provider's taxonomy. */
export const unknownCodes = (codes: readonly string[], taxonomy: readonly Factor[]): string[] => {
  const known = new Set(taxonomy.map((factor) => factor.code));
  return codes.filter((code) => !known.has(code));
};

/**
 * The code a provider's new factor gets: its parent's code and the label in
 * capitals, e.g. `COMMUNICATION.PHONE_MESSAGES`; undefined when the label has
 * no letters or digits.
 */
export function newFactorCode(parentCode: string | null, label: string): string | undefined {
  const slug = label
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 60);
  if (!slug) return undefined;
  return parentCode ? `${parentCode}.${slug}` : slug;
}
