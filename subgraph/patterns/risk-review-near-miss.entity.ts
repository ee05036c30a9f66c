import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A near miss a risk review covers. */
@Entity({ name: 'risk_review_near_miss' })
export class RiskReviewNearMissEntity {
  @Column({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @PrimaryColumn({ name: 'review_id', type: 'uuid' }) reviewId!: string;
  @PrimaryColumn({ name: 'near_miss_id', type: 'uuid' }) nearMissId!: string;
  @Column({ name: 'joined_at', type: 'timestamptz' }) joinedAt!: Date;
}
