import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A corrective action a risk review's conclusion added. */
@Entity({ name: 'risk_review_action' })
export class RiskReviewActionEntity {
  @Column({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @PrimaryColumn({ name: 'review_id', type: 'uuid' }) reviewId!: string;
  @PrimaryColumn({ name: 'action_id', type: 'uuid' }) actionId!: string;
}
