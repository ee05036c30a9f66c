import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A similarity key a review stands for; at most one open review per key (a partial unique index). */
@Entity({ name: 'risk_review_key' })
export class RiskReviewKeyEntity {
  @Column({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @PrimaryColumn({ name: 'review_id', type: 'uuid' }) reviewId!: string;
  @PrimaryColumn({ name: 'similarity_key', type: 'text' }) similarityKey!: string;
  @Column({ type: 'boolean' }) open!: boolean;
}
