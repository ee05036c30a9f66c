import type { CategoryDefinition, ReportFacts } from '../../plugins/sdk';
import { runWithTimeout, ruleTimeoutMs } from '../triage/triage-suggestion';

export interface GateRequirement {
  key: string;
  label: string;
}

/**
 * The category's "cannot proceed without" items that apply to this report.
 * When a plugin's conditions fail, every item applies: the safe side.
 */
export function applicableGates(category: Pick<CategoryDefinition, 'gates'>, report: ReportFacts): GateRequirement[] {
  const all = category.gates.map(({ key, label }) => ({ key, label }));
  try {
    return runWithTimeout(
      () =>
        category.gates.filter((gate) => gate.appliesWhen?.(report) ?? true).map(({ key, label }) => ({ key, label })),
      ruleTimeoutMs,
    );
  } catch {
    return all;
  }
}
