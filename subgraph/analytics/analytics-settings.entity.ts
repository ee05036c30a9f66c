import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A provider's local time zone for hour-of-day, weekday, nights and period boundaries. */
@Entity({ name: 'analytics_settings' })
export class AnalyticsSettingsEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @Column({ name: 'time_zone', type: 'text' }) timeZone!: string;
  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' }) updatedAt!: Date;
  @Column({ name: 'updated_by', type: 'text', nullable: true }) updatedBy!: string | null;
}
