import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Per-tenant, per-year reference numbers (the row lock keeps them gap-free). */
@Entity({ name: 'reference_counter' })
export class ReferenceCounterEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @PrimaryColumn({ type: 'integer' }) year!: number;
  @Column({ name: 'last_value', type: 'integer' }) lastValue!: number;
}
