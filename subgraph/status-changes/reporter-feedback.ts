import type { TriageRouteValue } from '../domain/vocabulary';

/** The routes in words a reporter understands. Never mentions the just-culture class. */
export const routeInPlainWords: Record<TriageRouteValue, string> = {
  SAFEGUARDING_REVIEW: 'a safeguarding review, led by the safeguarding lead',
  MEDICATION_SAFETY_REVIEW: 'a medication safety review, led by the medication lead',
  OPERATIONAL_FIX: 'an operational fix: we will change how this part of the work is done',
  TREND_MONITORING: 'trend monitoring: we will watch for similar reports and act if a pattern appears',
};

const formatTime = (date: Date) => `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

export const acknowledgementMessage = (reference: string, triageDueBy: Date) =>
  `Thank you for reporting ${reference}. It has been acknowledged and will be triaged by ${formatTime(triageDueBy)}.`;

export const triageMessage = (reference: string, route: TriageRouteValue) =>
  `Your report ${reference} has been triaged and sent for ${routeInPlainWords[route]}.`;

export const closureMessage = (reference: string, whatHappened: string, outcome: string) => {
  const summary = whatHappened.length > 140 ? `${whatHappened.slice(0, 137)}...` : whatHappened;
  return `You reported ${reference}: "${summary}". What changed: ${outcome}`;
};

export const reopenMessage = (reference: string) =>
  `Your report ${reference} has been reopened so that it can be looked at again. Thank you for raising it.`;
