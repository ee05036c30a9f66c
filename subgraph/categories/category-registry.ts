import { z } from 'zod';
import { standardCodeSystems, type CategoryDefinition, type ReportFacts } from '../../plugins/sdk';
import { allRoles } from '../auth/role';
import { applicableGates } from '../gates/applicable-gates';
import { conditionProblems, parseDetails, withConditions } from './details-conditions';
import {
  careSettings,
  potentialHarms,
  recurrenceScopes,
  triageRoutes,
  verificationMethods,
  workflowStages,
} from '../domain/vocabulary';
import { suggestTriage } from '../triage/triage-suggestion';

/** A category that passed validation, with its JSON Schema for host forms. */
export interface RegisteredCategory {
  definition: CategoryDefinition;
  /** Where it came from: `built-in` or the NEAR_MISS_PLUGINS entry. */
  source: string;
  fieldsSchema: Record<string, unknown>;
}

export class PluginValidationError extends Error {
  constructor(
    readonly plugin: string,
    readonly problems: string[],
  ) {
    super(`Category plugin "${plugin}" is invalid: ${problems.join('; ')}`);
    this.name = 'PluginValidationError';
  }
}

const kebabCase = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const coreLinkFields = [
  'personId',
  'serviceId',
  'visitId',
  'medicationRecordId',
  'shiftId',
  'carePlanId',
  'workflowStage',
  'setting',
];

const isZodObject = (value: unknown): value is z.ZodObject<z.ZodRawShape> =>
  value instanceof z.ZodObject ||
  (typeof value === 'object' &&
    value !== null &&
    (value as { _zod?: { def?: { type?: string } } })._zod?.def?.type === 'object');

/** The JSON Schema of a category's fields as a form fills them in, or why it cannot be expressed. */
function detailsJsonSchema(details: CategoryDefinition['details']): Record<string, unknown> | string {
  try {
    return z.toJSONSchema(details, { io: 'input', unrepresentable: 'any' });
  } catch (error) {
    return (error as Error).message;
  }
}

/** Sample reports built from a plugin's example, spanning harms and settings, to exercise its rules at boot. */
export function sampleReports(definition: CategoryDefinition, details: Record<string, unknown>): ReportFacts[] {
  return potentialHarms.map((potentialHarm, index) => ({
    category: definition.key,
    serviceId: 'sample-service',
    setting: careSettings[index % careSettings.length],
    potentialHarm,
    preventionReliability: index % 2 === 0 ? 'INDIVIDUAL_VIGILANCE' : 'CHANCE',
    workflowStage: definition.workflowStages?.[0],
    contributingFactors: [],
    personId: 'sample-person',
    occurredAt: new Date('2026-01-05T08:00:00Z'),
    details,
  }));
}

/** A code outside its list, named by field (`standards.<field>`). */
function codeProblem(field: keyof typeof standardCodeSystems, code: unknown): string[] {
  const system = standardCodeSystems[field];
  if (typeof code === 'string' && Object.hasOwn(system.concepts, code)) return [];
  return [
    `standards.${field} ${JSON.stringify(code)} is not a code of ${system.title} (${Object.keys(system.concepts).join(', ')})`,
  ];
}

/** The codes a definition declares as data. */
function declaredCodeProblems(definition: CategoryDefinition): string[] {
  const standards = definition.standards as Partial<CategoryDefinition['standards']> | undefined;
  if (!standards?.fhirAdverseEventCategory) return ['standards.fhirAdverseEventCategory is required'];
  return [
    ...codeProblem('fhirAdverseEventCategory', standards.fhirAdverseEventCategory),
    ...(standards.lfpse ? codeProblem('lfpse.eventType', standards.lfpse.eventType) : []),
    ...(standards.ahrq ? codeProblem('ahrq.eventCategory', standards.ahrq.eventCategory) : []),
  ];
}

/** The codes a definition computes for one report. */
export function computedCodeProblems(definition: CategoryDefinition, report: ReportFacts): string[] {
  const { standards } = definition;
  return [
    ...(standards.nccMerp ? codeProblem('nccMerp', standards.nccMerp(report)) : []),
    ...(standards.lfpse?.medicationProcessStage
      ? codeProblem('lfpse.medicationProcessStage', standards.lfpse.medicationProcessStage(report))
      : []),
  ];
}

/** Every problem with one definition (empty when it is sound). */
export function validateDefinition(definition: CategoryDefinition): string[] {
  const problems: string[] = [];
  const candidate = definition as Partial<CategoryDefinition> | undefined;
  if (!candidate || typeof candidate !== 'object') return ['the module does not export a category definition'];
  if (typeof candidate.key !== 'string' || !kebabCase.test(candidate.key))
    problems.push(`key ${JSON.stringify(candidate.key)} must be kebab-case`);
  if (typeof candidate.label !== 'string' || !candidate.label.trim()) problems.push('label is required');
  if (typeof candidate.description !== 'string' || !candidate.description.trim())
    problems.push('description is required');
  if (!Number.isInteger(candidate.version) || (candidate.version ?? 0) < 1)
    problems.push('version must be a positive integer');
  if (!isZodObject(candidate.details)) {
    problems.push('details must be a zod object schema (z.object({...}))');
    return problems;
  }
  for (const list of ['triage', 'gates', 'verification', 'similarity'] as const) {
    if (!Array.isArray(candidate[list])) problems.push(`${list} must be an array`);
  }
  if (problems.length) return problems;

  const baseSchema = detailsJsonSchema(candidate.details);
  if (typeof baseSchema === 'string') problems.push(`details cannot be expressed as JSON Schema: ${baseSchema}`);
  else problems.push(...conditionProblems(definition, baseSchema));
  if (problems.length) return problems;

  const parsedExample = parseDetails(definition, candidate.example);
  if (!parsedExample.success) {
    problems.push(
      `example does not match details: ${parsedExample.problems.map((problem) => `${problem.path}: ${problem.message}`).join(', ')}`,
    );
  }
  if (candidate.defaultRoute !== undefined && !triageRoutes.includes(candidate.defaultRoute))
    problems.push(`defaultRoute ${candidate.defaultRoute} is not a triage route`);

  const ruleIds = new Set<string>();
  for (const rule of definition.triage) {
    if (!rule || typeof rule.id !== 'string' || !kebabCase.test(rule.id))
      problems.push(`triage rule id ${JSON.stringify(rule?.id)} must be kebab-case`);
    else if (ruleIds.has(rule.id)) problems.push(`triage rule id ${rule.id} is used twice`);
    else ruleIds.add(rule.id);
    if (typeof rule?.when !== 'function') problems.push(`triage rule ${rule?.id} needs a when() function`);
    if (rule?.route !== undefined && !triageRoutes.includes(rule.route))
      problems.push(`triage rule ${rule.id} suggests ${rule.route}, which is not a triage route`);
  }
  const gateKeys = new Set<string>();
  for (const gate of definition.gates) {
    if (!gate || typeof gate.key !== 'string' || !kebabCase.test(gate.key))
      problems.push(`gate key ${JSON.stringify(gate?.key)} must be kebab-case`);
    else if (gateKeys.has(gate.key)) problems.push(`gate key ${gate.key} is used twice`);
    else gateKeys.add(gate.key);
    if (typeof gate?.label !== 'string' || !gate.label.trim()) problems.push(`gate ${gate?.key} needs a label`);
  }
  for (const template of definition.verification) {
    if (!verificationMethods.includes(template.method))
      problems.push(`verification method ${template.method} is unknown`);
    if (!Number.isInteger(template.everyDays) || template.everyDays < 1)
      problems.push('verification everyDays must be a positive integer');
    if (!Number.isInteger(template.count) || template.count < 1)
      problems.push('verification count must be a positive integer');
  }
  const detailKeys = Object.keys(candidate.details.shape);
  for (const field of definition.kind ?? []) {
    const ok =
      coreLinkFields.includes(field) ||
      (field.startsWith('details.') && detailKeys.includes(field.slice('details.'.length)));
    if (!ok) problems.push(`kind field ${field} is neither a core link field nor one of details`);
  }
  if (definition.recurrenceScope !== undefined && !recurrenceScopes.includes(definition.recurrenceScope))
    problems.push(`recurrenceScope ${String(definition.recurrenceScope)} is not ${recurrenceScopes.join(' or ')}`);
  for (const field of definition.similarity) {
    const ok =
      coreLinkFields.includes(field) ||
      (field.startsWith('details.') && detailKeys.includes(field.slice('details.'.length)));
    if (!ok) problems.push(`similarity field ${field} is neither a core link field nor one of details`);
  }
  if (definition.restrictedTo !== undefined) {
    if (!Array.isArray(definition.restrictedTo) || !definition.restrictedTo.length) {
      problems.push('restrictedTo must be a non-empty array of roles (omit it for an unrestricted category)');
    } else {
      for (const role of definition.restrictedTo) {
        if (!allRoles.includes(role as (typeof allRoles)[number]))
          problems.push(`restrictedTo role ${JSON.stringify(role)} is not a role (${allRoles.join(', ')})`);
      }
    }
  }
  for (const stage of definition.workflowStages ?? []) {
    if (!workflowStages.includes(stage)) problems.push(`workflow stage ${stage} is unknown`);
  }
  problems.push(...declaredCodeProblems(definition));

  // Rules must run on sample reports without throwing.
  if (parsedExample.success && problems.length === 0) {
    for (const report of sampleReports(definition, parsedExample.details)) {
      const suggestion = suggestTriage(definition, report);
      for (const failure of suggestion.failures)
        problems.push(`rule ${failure.ruleId} failed on a sample report: ${failure.message}`);
      try {
        for (const gate of definition.gates) gate.appliesWhen?.(report);
        problems.push(...computedCodeProblems(definition, report));
      } catch (error) {
        problems.push(`a gate or standards function threw on a sample report: ${(error as Error).message}`);
      }
      applicableGates(definition, report);
      if (problems.length) break;
    }
  }
  return [...new Set(problems)];
}

/** The categories this process knows, validated at boot. */
export class CategoryRegistry {
  private readonly byKey = new Map<string, RegisteredCategory>();

  constructor(entries: { definition: CategoryDefinition; source: string }[]) {
    for (const { definition, source } of entries) {
      const name = typeof definition?.key === 'string' ? `${definition.key} (${source})` : source;
      const problems = validateDefinition(definition);
      if (!problems.length && this.byKey.has(definition.key)) {
        problems.push(`key ${definition.key} is already registered by ${this.byKey.get(definition.key)?.source}`);
      }
      if (problems.length) throw new PluginValidationError(name, problems);
      const fieldsSchema = withConditions(definition, detailsJsonSchema(definition.details) as Record<string, unknown>);
      this.byKey.set(definition.key, {
        definition,
        source,
        fieldsSchema: { title: definition.label, description: definition.description, ...fieldsSchema },
      });
    }
  }

  get(key: string): RegisteredCategory | undefined {
    return this.byKey.get(key);
  }

  list(): RegisteredCategory[] {
    return [...this.byKey.values()];
  }

  /** Keys of restricted categories that none of `roles` may read (see `restrictedTo` in the SDK). */
  restrictedCategoriesHiddenFrom(roles: readonly string[]): string[] {
    return this.list()
      .filter(({ definition }) => definition.restrictedTo?.length)
      .filter(({ definition }) => !definition.restrictedTo?.some((role) => roles.includes(role)))
      .map(({ definition }) => definition.key);
  }

  /** Restricted categories that name one of these roles: their holders see the reports' confidential reporters. */
  categoriesRestrictedTo(roles: readonly string[]): string[] {
    return this.list()
      .filter(({ definition }) => definition.restrictedTo?.some((role) => roles.includes(role)))
      .map(({ definition }) => definition.key);
  }

  /** Whether the category declares restricted access. */
  isRestricted(key: string): boolean {
    return Boolean(this.byKey.get(key)?.definition.restrictedTo?.length);
  }
}
