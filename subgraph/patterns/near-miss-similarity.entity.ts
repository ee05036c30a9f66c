import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One row per (near miss, similarity key): the repeat trigger reads a range of its primary key. */
@Entity({ name: 'near_miss_similarity' })
export class NearMissSimilarityEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @PrimaryColumn({ name: 'similarity_key', type: 'text' }) similarityKey!: string;
  @PrimaryColumn({ name: 'occurred_at', type: 'timestamptz' }) occurredAt!: Date;
  @PrimaryColumn({ name: 'near_miss_id', type: 'uuid' }) nearMissId!: string;
  /** The review that counted this occurrence (carried in the primary key's index). */
  @Column({ name: 'review_id', type: 'uuid', nullable: true }) reviewId!: string | null;
}
