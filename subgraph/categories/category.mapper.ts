import type { RegisteredCategory } from './category-registry';
import type { NearMissCategory } from './category.type';

/** The GraphQL category; without `enabled`, the field reads the caller's organisation's settings when it is selected. */
export function toCategoryType(registered: RegisteredCategory, enabled?: boolean): NearMissCategory {
  const { definition } = registered;
  return {
    key: definition.key,
    label: definition.label,
    description: definition.description,
    fieldsSchema: registered.fieldsSchema,
    version: definition.version,
    defaultRoute: definition.defaultRoute ?? 'TREND_MONITORING',
    gates: definition.gates.map(({ key, label }) => ({ key, label })),
    verificationTemplates: definition.verification.map((template) => ({ ...template })),
    contributingFactors: definition.contributingFactors ?? [],
    workflowStages: definition.workflowStages ?? [],
    fhirAdverseEventCategory: definition.standards.fhirAdverseEventCategory,
    enabled,
  };
}
