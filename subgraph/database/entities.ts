import { AnalyticsSettingsEntity } from '../analytics/analytics-settings.entity';
import { AuditChainHeadEntity } from '../audit/audit-chain-head.entity';
import { AuditEventEntity } from '../audit/audit-event.entity';
import { TenantCategorySettingEntity } from '../categories/tenant-category-setting.entity';
import { ContributingFactorEntity } from '../contributing-factors/contributing-factor.entity';
import { CorrectiveActionNearMissEntity } from '../corrective-actions/corrective-action-near-miss.entity';
import { CorrectiveActionEntity } from '../corrective-actions/corrective-action.entity';
import { GateCompletionEntity } from '../gates/gate-completion.entity';
import { ReporterFeedbackEntity } from '../status-changes/reporter-feedback.entity';
import { IdempotencyKeyEntity } from '../near-misses/idempotency-key.entity';
import { NearMissAmendmentEntity } from '../near-misses/near-miss-amendment.entity';
import { NearMissEntity } from '../near-misses/near-miss.entity';
import { ReferenceCounterEntity } from '../near-misses/reference-counter.entity';
import { OutboxEventEntity } from '../outbox/outbox-event.entity';
import { WebhookDeliveryEntity } from '../outbox/webhook-delivery.entity';
import { WebhookSubscriptionEntity } from '../outbox/webhook-subscription.entity';
import { NearMissSimilarityEntity } from '../patterns/near-miss-similarity.entity';
import { RepeatTriggerRuleEntity } from '../patterns/repeat-trigger-rule.entity';
import { RiskReviewActionEntity } from '../patterns/risk-review-action.entity';
import { RiskReviewKeyEntity } from '../patterns/risk-review-key.entity';
import { RiskReviewNearMissEntity } from '../patterns/risk-review-near-miss.entity';
import { RiskReviewEntity } from '../patterns/risk-review.entity';
import { ServiceManagerEntity } from '../patterns/service-manager.entity';
import { TenantSettingsEntity } from '../tenant-settings/tenant-settings.entity';
import { NotificationEntity, NotificationWindowEntity } from '../notifications/notification.entity';
import { GovernanceReviewEntity, LearningResponseEntity } from '../governance/governance-record.entity';
import { NearMissTriageEntity } from '../triage/near-miss-triage.entity';
import { VerificationCheckEntity } from '../verification/verification-check.entity';

/** Every table the migrations create, one entity each (test/integration/entity-schema.int.test.ts keeps them equal). */
export const entities = [
  AnalyticsSettingsEntity,
  AuditChainHeadEntity,
  AuditEventEntity,
  ContributingFactorEntity,
  CorrectiveActionEntity,
  CorrectiveActionNearMissEntity,
  GateCompletionEntity,
  GovernanceReviewEntity,
  IdempotencyKeyEntity,
  LearningResponseEntity,
  NearMissEntity,
  NearMissAmendmentEntity,
  NearMissSimilarityEntity,
  NearMissTriageEntity,
  NotificationEntity,
  NotificationWindowEntity,
  OutboxEventEntity,
  ReferenceCounterEntity,
  RepeatTriggerRuleEntity,
  ReporterFeedbackEntity,
  RiskReviewEntity,
  RiskReviewActionEntity,
  RiskReviewKeyEntity,
  RiskReviewNearMissEntity,
  ServiceManagerEntity,
  TenantCategorySettingEntity,
  TenantSettingsEntity,
  VerificationCheckEntity,
  WebhookDeliveryEntity,
  WebhookSubscriptionEntity,
];
