import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Which near misses a corrective action answers. */
@Entity({ name: 'corrective_action_near_miss' })
export class CorrectiveActionNearMissEntity {
  @Column({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @PrimaryColumn({ name: 'action_id', type: 'uuid' }) actionId!: string;
  @PrimaryColumn({ name: 'near_miss_id', type: 'uuid' }) nearMissId!: string;
}
