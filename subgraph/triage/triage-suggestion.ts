import vm from 'node:vm';
import type { CategoryDefinition, ReportFacts } from '../../plugins/sdk';
import { harmAtLeast, triageRoutes, type TriageRouteValue } from '../domain/vocabulary';

/** The route the core falls back to when a category suggests none (or its rules failed). */
export const coreDefaultRoute: TriageRouteValue = 'TREND_MONITORING';

export interface RuleFailure {
  ruleId: string;
  message: string;
}

export interface TriageSuggestion {
  route: TriageRouteValue;
  sameDay: boolean;
  notify: string[];
  /** Ids of the rules that fired, core rules first, for the triage rationale. */
  firedRules: string[];
  /** Plugin rules that threw or timed out; the report is still saved. */
  failures: RuleFailure[];
}

interface CoreRule {
  id: string;
  when: (report: ReportFacts) => boolean;
  route?: TriageRouteValue;
  sameDay?: boolean;
  notify?: string[];
}

// Rules every category gets, whatever its plugin says.
const coreRules: CoreRule[] = [
  {
    id: 'core:severe-potential-harm',
    when: (report) => harmAtLeast(report.potentialHarm, 'SEVERE'),
    sameDay: true,
    notify: ['registered manager'],
  },
  {
    id: 'core:stopped-by-chance',
    // Nothing but luck stood between the error and the person: the control needs fixing.
    when: (report) => report.preventionReliability === 'CHANCE' && harmAtLeast(report.potentialHarm, 'MODERATE'),
    route: 'OPERATIONAL_FIX',
  },
];

/** The most serious of two routes (safeguarding first, trend monitoring last). */
export const moreSeriousRoute = (a: TriageRouteValue, b: TriageRouteValue): TriageRouteValue =>
  triageRoutes.indexOf(a) <= triageRoutes.indexOf(b) ? a : b;

/**
 * Time a plugin's rules get per report. Generous for predicates over one
 * report, short enough that an endless loop only delays that one report.
 */
export const ruleTimeoutMs = 200;

/**
 * Suggests a route, same-day handling and whom to notify. Plugin rules run
 * under a time limit. When a rule throws, the report gets the core's route
 * (core rules, else the core default) while the other rules' same-day and
 * notify still count; a plugin that runs past the limit is ignored as a whole.
 * Core rules always apply.
 */
export function suggestTriage(
  category: Pick<CategoryDefinition, 'key' | 'triage' | 'defaultRoute'>,
  report: ReportFacts,
): TriageSuggestion {
  const failures: RuleFailure[] = [];
  type Fired = { id: string; route?: TriageRouteValue; sameDay?: boolean; notify?: string[] };
  let pluginFired: Fired[] = [];

  const runPluginRules = () => {
    const fired: Fired[] = [];
    const thrown: RuleFailure[] = [];
    for (const rule of category.triage) {
      try {
        if (rule.when(report)) fired.push(rule);
      } catch (error) {
        thrown.push({
          ruleId: `${category.key}:${rule.id}`,
          message: error instanceof Error ? error.message : String(error),
        });
      }
    }
    return { fired, thrown };
  };
  try {
    const outcome = runWithTimeout(runPluginRules, ruleTimeoutMs);
    pluginFired = outcome.fired.map((rule) => ({ ...rule, id: `${category.key}:${rule.id}` }));
    failures.push(...outcome.thrown);
  } catch (error) {
    failures.push({ ruleId: `${category.key}:*`, message: error instanceof Error ? error.message : String(error) });
  }

  const firedCore: Fired[] = coreRules.filter((rule) => rule.when(report));
  const fired: Fired[] = [...firedCore, ...pluginFired];
  // A plugin whose rules failed on this report routes nothing: the route is the
  // core's, while same-day and notify from the rules that worked still count.
  const routing = failures.length ? firedCore : fired;
  const suggestedRoutes = routing.flatMap((rule) =>
    rule.route && triageRoutes.includes(rule.route) ? [rule.route] : [],
  );
  const fallback = failures.length ? coreDefaultRoute : (category.defaultRoute ?? coreDefaultRoute);
  return {
    route: suggestedRoutes.reduce(moreSeriousRoute, fallback),
    sameDay: fired.some((rule) => rule.sameDay === true),
    notify: [...new Set(fired.flatMap((rule) => rule.notify ?? []))],
    firedRules: fired.map((rule) => rule.id),
    failures,
  };
}

// One context and one compiled script for every run: a fresh V8 context per
// call costs about a millisecond and enough garbage that collector pauses
// inside the time limit made healthy rules look like endless loops.
const runner = new vm.Script('result = work()');
const sharedContext = vm.createContext({
  work: undefined as (() => unknown) | undefined,
  result: undefined as unknown,
});
let sharedContextBusy = false;

const timedOut = (error: unknown) => (error as { code?: unknown } | null)?.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT';

/**
 * Runs synchronous plugin code with a hard time limit (the VM interrupts
 * endless loops). The limit is wall-clock time, so a busy machine can stop
 * healthy code: a timed-out run is retried once before it counts, which costs
 * a truly endless loop one more limit. Plugin code is pure, so a retry is safe.
 */
export function runWithTimeout<T>(work: () => T, timeoutMs: number): T {
  try {
    return runOnce(work, timeoutMs);
  } catch (error) {
    if (!timedOut(error)) throw error;
    return runOnce(work, timeoutMs);
  }
}

function runOnce<T>(work: () => T, timeoutMs: number): T {
  // A run nested inside another (plugin code calling back into the core) gets a context of its own.
  const context = sharedContextBusy ? vm.createContext({ work: undefined, result: undefined }) : sharedContext;
  const nested = context !== sharedContext;
  if (!nested) sharedContextBusy = true;
  try {
    context.work = work;
    runner.runInContext(context, { timeout: timeoutMs });
    return context.result as T;
  } finally {
    context.work = undefined;
    context.result = undefined;
    if (!nested) sharedContextBusy = false;
  }
}
