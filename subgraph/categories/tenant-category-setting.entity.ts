import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A provider's choice to turn a category on or off; no row means the category's default. */
@Entity({ name: 'tenant_category_setting' })
export class TenantCategorySettingEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @PrimaryColumn({ type: 'text' }) category!: string;
  @Column({ type: 'boolean' }) enabled!: boolean;
  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' }) updatedAt!: Date;
}
