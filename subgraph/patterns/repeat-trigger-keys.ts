import type { CategoryDefinition, ReportFacts } from '../../plugins/sdk';
import { canonicalJson, sha256 } from '../common/canonical-json';
import { shippedFactors } from '../contributing-factors/factor-coding';
import { otherFactorCode } from '../contributing-factors/taxonomy';

/** Why reports count as similar: the category's own fields, or the same service and workflow stage / contributing factor. */
export const repeatTriggerBases = ['CATEGORY_SIMILARITY', 'WORKFLOW_STAGE', 'CONTRIBUTING_FACTOR'] as const;
export type RepeatTriggerBasis = (typeof repeatTriggerBases)[number];

/** One way a report can repeat earlier ones. */
export interface RepeatKey {
  /** Stable hash; equal for similar reports of one tenant. */
  key: string;
  basis: RepeatTriggerBasis;
  /** Plain words after "N <category> near misses", e.g. "for one person with the same medication name". */
  phrase: string;
}

/** Strongest evidence first: the reason of a review names its first key. */
const basisOrder: Record<RepeatTriggerBasis, number> = {
  CATEGORY_SIMILARITY: 0,
  WORKFLOW_STAGE: 1,
  CONTRIBUTING_FACTOR: 2,
};

const factorLabels = new Map(shippedFactors.map((factor) => [factor.code, factor.label.toLowerCase()]));
const normalise = (value: string) => value.trim().toLowerCase().replace(/\s+/g, ' ');
const hashOf = (parts: unknown[]) => sha256(canonicalJson(parts)).slice(0, 32);

const linkPhrases: Record<string, string> = {
  personId: 'for one person',
  serviceId: 'in one service',
  visitId: 'on one visit',
  medicationRecordId: 'on one MAR entry',
  shiftId: 'on one shift',
  carePlanId: 'under one care plan',
  workflowStage: 'at one workflow stage',
  setting: 'in one setting',
};

const humanise = (name: string) => name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
const stageWords = (stage: string) => stage.toLowerCase().replace(/_/g, ' ');

/** "for one person with the same medication name": the plugin's similarity fields in words. */
export function similarityPhrase(fields: readonly string[]): string {
  const links = fields
    .filter((field) => !field.startsWith('details.'))
    .map((field) => linkPhrases[field] ?? `with the same ${humanise(field)}`);
  const details = fields
    .filter((field) => field.startsWith('details.'))
    .map((field) => field.slice('details.'.length))
    .map((name) => `the same ${humanise(name)}`);
  return [...links, ...(details.length ? [`with ${details.join(' and ')}`] : [])].join(' ');
}

/** similarityPhrase once per plugin's field list (a report would build it on every call). */
const phrases = new WeakMap<readonly string[], string>();
const phraseOf = (fields: readonly string[]) => {
  let phrase = phrases.get(fields);
  if (phrase === undefined) phrases.set(fields, (phrase = similarityPhrase(fields)));
  return phrase;
};

/**
 * Every key under which this report can repeat earlier ones: the category
 * plugin's similarity (e.g. same person and medication), and within the same
 * category and service the same workflow stage or the same contributing
 * factor. Sorted by basis, then key, so lock order is the same everywhere.
 */
export function repeatKeys(
  category: Pick<CategoryDefinition, 'key' | 'similarity'>,
  report: ReportFacts,
  /** The report's similarity key (similarity-key.ts; a report stores it on its row). */
  byFields: string | null,
): RepeatKey[] {
  const keys: RepeatKey[] = [];
  if (byFields) keys.push({ key: byFields, basis: 'CATEGORY_SIMILARITY', phrase: phraseOf(category.similarity) });
  if (report.workflowStage) {
    keys.push({
      key: hashOf(['workflow-stage', category.key, report.serviceId, report.workflowStage]),
      basis: 'WORKFLOW_STAGE',
      phrase: `at the ${stageWords(report.workflowStage)} stage in service ${report.serviceId}`,
    });
  }
  // Coded factors repeat by code ("handover rushed" and "rushed handover" are one factor); text coded
  // OTHER, and reports no one has coded, repeat by their words.
  const codes = (report.contributingFactorCodes ?? []).filter((code) => code !== otherFactorCode);
  for (const code of new Set(codes)) {
    keys.push({
      key: hashOf(['contributing-factor-code', category.key, report.serviceId, code]),
      basis: 'CONTRIBUTING_FACTOR',
      phrase: `in service ${report.serviceId} with the contributing factor "${factorLabels.get(code) ?? code}"`,
    });
  }
  const texts = report.contributingFactorCodes ? (report.otherContributingFactors ?? []) : report.contributingFactors;
  const factors = [...new Set(texts.map(normalise).filter(Boolean))];
  for (const factor of factors) {
    keys.push({
      key: hashOf(['contributing-factor', category.key, report.serviceId, factor]),
      basis: 'CONTRIBUTING_FACTOR',
      phrase: `in service ${report.serviceId} with the contributing factor "${factor}"`,
    });
  }
  const unique = [...new Map(keys.map((key) => [key.key, key])).values()];
  return unique.sort(
    (a, b) => basisOrder[a.basis] - basisOrder[b.basis] || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
}
