import type { Operation } from './role-matrix';

/**
 * Every root field of the API and the role-matrix operation that guards it.
 * A test fails when a root field is missing here, and another tries every
 * field as every role; docs/security.md is generated from this table.
 * `authenticated`: any valid token.
 */
export const rootFieldPermissions = {
  'Query.viewer': 'authenticated',
  'Query.categories': 'categories.read',
  'Query.nearMiss': 'nearMiss.read',
  'Query.nearMisses': 'nearMiss.read',
  /** The receipt code is the credential: whoever holds it reads that one anonymous report's status and feedback. */
  'Query.nearMissByReceipt': 'authenticated',
  'Query.triageQueue': 'triage.queue',
  'Query.tenantSettings': 'settings.read',
  'Query.personDataExport': 'privacy.export',
  'Query.correctiveAction': 'actions.read',
  'Query.overdueCorrectiveActions': 'actions.read',
  'Query.overdueVerificationChecks': 'actions.read',
  'Query.nearMissEvents': 'events.read',
  'Query.webhooks': 'webhooks.manage',
  'Query.riskReviews': 'riskReviews.read',
  'Query.riskReview': 'riskReviews.read',
  'Query.repeatTriggerRules': 'riskReviews.read',
  'Query.nearMissTrends': 'analytics.read',
  'Query.workflowStageAnalysis': 'analytics.read',
  'Query.signalHealth': 'analytics.read',
  'Query.nearMissSignals': 'analytics.read',
  'Query.governanceSummary': 'analytics.read',
  'Query.analyticsSettings': 'settings.read',
  'Query.contributingFactors': 'categories.read',
  'Mutation.reportNearMiss': 'nearMiss.report',
  'Mutation.acknowledgeNearMiss': 'nearMiss.acknowledge',
  'Mutation.triageNearMiss': 'nearMiss.triage',
  'Mutation.completeGateItem': 'gates.complete',
  'Mutation.closeNearMiss': 'nearMiss.close',
  'Mutation.reopenNearMiss': 'nearMiss.reopen',
  'Mutation.reclassifyAsIncident': 'nearMiss.reclassify',
  'Mutation.sendReporterFeedback': 'feedback.send',
  'Mutation.recordNoActionNeeded': 'nearMiss.recordNoActionNeeded',
  'Mutation.updateTenantSettings': 'settings.configure',
  'Mutation.setCategoryEnabled': 'categories.configure',
  'Mutation.addCorrectiveAction': 'actions.add',
  'Mutation.completeCorrectiveAction': 'actions.complete',
  'Mutation.cancelCorrectiveAction': 'actions.cancel',
  'Mutation.scheduleVerification': 'verification.schedule',
  'Mutation.recordVerificationResult': 'verification.record',
  'Mutation.erasePersonData': 'privacy.erase',
  'Mutation.applyRetention': 'privacy.retention',
  'Mutation.registerWebhook': 'webhooks.manage',
  'Mutation.deactivateWebhook': 'webhooks.manage',
  'Mutation.concludeRiskReview': 'riskReviews.conclude',
  'Mutation.setRepeatTriggerRule': 'riskReviews.configure',
  'Mutation.assignServiceManager': 'riskReviews.configure',
  'Mutation.updateAnalyticsSettings': 'settings.configure',
  'Query.overdueNotifications': 'notifications.read',
  'Query.notificationWindows': 'settings.read',
  'Mutation.recordNotification': 'notifications.record',
  'Mutation.setNotificationWindow': 'settings.configure',
  'Query.governanceReviews': 'governance.read',
  'Query.learningResponses': 'learning.read',
  /** Every member of staff hears what their reports changed (aggregates and action titles, no report text). */
  'Query.learningBrief': 'authenticated',
  'Mutation.recordGovernanceReview': 'governance.record',
  'Mutation.recordLearningResponse': 'learning.record',
  'Mutation.addContributingFactor': 'factors.configure',
  'Mutation.amendNearMiss': 'nearMiss.amend',
} as const satisfies Record<string, Operation | 'authenticated'>;

export type RootField = keyof typeof rootFieldPermissions;

/** Root fields whose operation the action's owner may also perform. */
export const ownerMayAlso: readonly RootField[] = [
  'Mutation.completeCorrectiveAction',
  'Mutation.scheduleVerification',
];

/** Fields whose value depends on who asks, and what the others see instead. */
export const sensitiveFields: Record<string, { operation: Operation; otherwise: string }> = {
  'NearMiss.whatHappened': { operation: 'nearMiss.readIdentified', otherwise: '"[withheld]"' },
  'NearMiss.howDetected': { operation: 'nearMiss.readIdentified', otherwise: '"[withheld]"' },
  'NearMiss.whatPreventedHarm': { operation: 'nearMiss.readIdentified', otherwise: '"[withheld]"' },
  'NearMiss.whatMadeThisPossible': { operation: 'nearMiss.readIdentified', otherwise: '"[withheld]"' },
  'NearMiss.immediateActions': { operation: 'nearMiss.readIdentified', otherwise: 'each item "[withheld]"' },
  'NearMiss.outcome': { operation: 'nearMiss.readIdentified', otherwise: '"[withheld]"' },
  'NearMiss.noActionReason': { operation: 'nearMiss.readIdentified', otherwise: '"[withheld]"' },
  'NearMiss.details': {
    operation: 'nearMiss.readIdentified',
    otherwise: 'free-text fields "[withheld]"; codes, times and flags kept',
  },
  'NearMiss.person': { operation: 'nearMiss.readIdentified', otherwise: 'a per-tenant pseudonym id (psn_…)' },
  'NearMiss.reportedBy': {
    operation: 'nearMiss.readIdentified',
    otherwise:
      "a pseudonymous staff id (stf_…); for every role, `anonymous` on ANONYMOUS reports, and `confidential` on CONFIDENTIAL ones except for the reporter, TRIAGE_LEAD, MANAGER and the category's restricted roles",
  },
  'NearMiss.staffInvolved': { operation: 'nearMiss.readIdentified', otherwise: 'pseudonymous staff ids (stf_…)' },
  'NearMiss.visit': { operation: 'nearMiss.readIdentified', otherwise: 'a pseudonymous visit id (vst_…)' },
  'NearMiss.medicationRecord': { operation: 'nearMiss.readIdentified', otherwise: 'a pseudonymous MAR id (mar_…)' },
  'NearMiss.shift': { operation: 'nearMiss.readIdentified', otherwise: 'a pseudonymous shift id (shf_…)' },
  'NearMiss.carePlan': { operation: 'nearMiss.readIdentified', otherwise: 'a pseudonymous care plan id (cpl_…)' },
  'NearMiss.timeline': {
    operation: 'nearMiss.readIdentified',
    otherwise: 'actors and staff ids in details as pseudonyms (stf_…), reasons "[withheld]"',
  },
  'NearMiss.feedback': { operation: 'nearMiss.readIdentified', otherwise: 'messages "[withheld]"' },
  'Triage.rationale': { operation: 'nearMiss.readIdentified', otherwise: '"[withheld]"' },
  'Triage.overrideReason': { operation: 'nearMiss.readIdentified', otherwise: '"[withheld]"' },
  'Triage.triagedBy': { operation: 'nearMiss.readIdentified', otherwise: 'a pseudonymous staff id (stf_…)' },
  'GateItem.doneBy': { operation: 'nearMiss.readIdentified', otherwise: 'a pseudonymous staff id (stf_…)' },
  'Reclassification.reason': { operation: 'nearMiss.readIdentified', otherwise: '"[withheld]"' },
  'Reclassification.by': { operation: 'nearMiss.readIdentified', otherwise: 'a pseudonymous staff id (stf_…)' },
  'Triage.justCulture': { operation: 'triage.justCulture.read', otherwise: 'null' },
  'Triage.justCultureResponse': { operation: 'triage.justCulture.read', otherwise: 'null' },
  'RiskReview.conclusion': { operation: 'nearMiss.readIdentified', otherwise: '"[withheld]"' },
  'RiskReview.assignedTo': {
    operation: 'nearMiss.readIdentified',
    otherwise: 'a pseudonymous staff id (stf_…); null for GOVERNANCE',
  },
  'RiskReview.concludedBy': {
    operation: 'nearMiss.readIdentified',
    otherwise: 'a pseudonymous staff id (stf_…); null for GOVERNANCE',
  },
  'Notification.notifiedBy': { operation: 'nearMiss.readIdentified', otherwise: 'a pseudonymous staff id (stf_…)' },
  'LearningResponse.findings': { operation: 'nearMiss.readIdentified', otherwise: '"[withheld]"' },
  'CorrectiveAction.owner': { operation: 'nearMiss.readIdentified', otherwise: 'a pseudonymous staff id (stf_…)' },
  'VerificationCheck.performedBy': {
    operation: 'nearMiss.readIdentified',
    otherwise: 'a pseudonymous staff id (stf_…)',
  },
};
