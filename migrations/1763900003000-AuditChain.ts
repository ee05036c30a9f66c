import type { MigrationInterface, QueryRunner } from 'typeorm';
import { auditRowHash, genesisHash } from '../subgraph/audit/audit-hash';
import { disableTenantIsolation, enableTenantIsolation } from './tenant-isolation';

const backfillBatch = 500;

/**
 * Makes the audit trail tamper-evident: a per-tenant sequence and hash chain
 * on audit_event (existing rows backfilled), a per-tenant chain head, and
 * triggers that refuse UPDATE, DELETE and TRUNCATE of the trail.
 */
export class AuditChain1763900003000 implements MigrationInterface {
  name = 'AuditChain1763900003000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE audit_event ADD COLUMN seq bigint, ADD COLUMN prev_hash text, ADD COLUMN hash text`,
    );
    // Whole milliseconds: what is hashed must round-trip exactly through a JS Date.
    await queryRunner.query(`UPDATE audit_event SET at = date_trunc('milliseconds', at)`);
    await queryRunner.query(
      `ALTER TABLE audit_event ALTER COLUMN at SET DEFAULT date_trunc('milliseconds', clock_timestamp())`,
    );
    await queryRunner.query(
      `ALTER TABLE audit_event ADD CONSTRAINT "CHK_audit_event_at_milliseconds" CHECK (at = date_trunc('milliseconds', at))`,
    );

    const heads = await backfillChains(queryRunner);

    await queryRunner.query(
      `ALTER TABLE audit_event ALTER COLUMN seq SET NOT NULL, ALTER COLUMN prev_hash SET NOT NULL, ALTER COLUMN hash SET NOT NULL`,
    );
    await queryRunner.query(
      `ALTER TABLE audit_event ADD CONSTRAINT "UQ_audit_event_tenant_seq" UNIQUE (tenant_id, seq)`,
    );

    // One row per tenant: the last link of its chain. Appenders lock it, and the
    // verifier compares it with the last row (so removing that row shows).
    await queryRunner.query(`
      CREATE TABLE audit_chain_head (
        tenant_id text PRIMARY KEY,
        last_seq bigint NOT NULL,
        last_hash text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    // Appenders lock and advance it (INSERT .. ON CONFLICT DO UPDATE); nobody deletes it.
    await enableTenantIsolation(queryRunner, 'audit_chain_head', ['SELECT', 'INSERT', 'UPDATE']);
    for (const head of heads) {
      await queryRunner.query(`INSERT INTO audit_chain_head (tenant_id, last_seq, last_hash) VALUES ($1, $2, $3)`, [
        head.tenantId,
        head.seq,
        head.hash,
      ]);
    }

    await queryRunner.query(`
      CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'the audit trail is append-only: % on % is refused', TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await queryRunner.query(
      `CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()`,
    );

    // Every new row must continue its tenant's chain; the head follows it.
    await queryRunner.query(`
      CREATE FUNCTION audit_advance_head() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE audit_chain_head SET last_seq = NEW.seq, last_hash = NEW.hash, updated_at = clock_timestamp()
         WHERE tenant_id = NEW.tenant_id AND last_seq = NEW.seq - 1 AND last_hash = NEW.prev_hash;
        IF NOT FOUND THEN
          RAISE EXCEPTION 'audit row % of tenant % does not continue the chain head (lock the head first)', NEW.seq, NEW.tenant_id
            USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NULL;
      END $$`);
    await queryRunner.query(
      `CREATE TRIGGER audit_event_advance_head AFTER INSERT ON audit_event FOR EACH ROW EXECUTE FUNCTION audit_advance_head()`,
    );

    // The head only stays (the appender's lock) or moves to a row that exists; it is never removed.
    await queryRunner.query(`
      CREATE FUNCTION audit_guard_head() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          IF NEW.last_seq = 0 AND NEW.last_hash = '${genesisHash}' THEN RETURN NEW; END IF;
        ELSIF NEW.tenant_id = OLD.tenant_id AND NEW.last_seq = OLD.last_seq AND NEW.last_hash = OLD.last_hash THEN
          RETURN NEW;
        ELSIF NEW.tenant_id = OLD.tenant_id AND NEW.last_seq = OLD.last_seq + 1 AND EXISTS (
          SELECT 1 FROM audit_event WHERE tenant_id = NEW.tenant_id AND seq = NEW.last_seq AND hash = NEW.last_hash AND prev_hash = OLD.last_hash
        ) THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION 'the audit chain head of tenant % may only follow appended rows', COALESCE(NEW.tenant_id, OLD.tenant_id)
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await queryRunner.query(
      `CREATE TRIGGER audit_chain_head_guard BEFORE INSERT OR UPDATE ON audit_chain_head FOR EACH ROW EXECUTE FUNCTION audit_guard_head()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER audit_chain_head_no_delete BEFORE DELETE ON audit_chain_head FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER audit_chain_head_no_truncate BEFORE TRUNCATE ON audit_chain_head FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await disableTenantIsolation(queryRunner, 'audit_chain_head');
    await queryRunner.query(`DROP TABLE audit_chain_head`);
    for (const trigger of ['audit_event_advance_head', 'audit_event_no_truncate', 'audit_event_append_only']) {
      await queryRunner.query(`DROP TRIGGER ${trigger} ON audit_event`);
    }
    await queryRunner.query(`DROP FUNCTION audit_guard_head(), audit_advance_head(), audit_refuse_change()`);
    await queryRunner.query(
      `ALTER TABLE audit_event DROP CONSTRAINT "UQ_audit_event_tenant_seq", DROP CONSTRAINT "CHK_audit_event_at_milliseconds"`,
    );
    await queryRunner.query(`ALTER TABLE audit_event ALTER COLUMN at SET DEFAULT clock_timestamp()`);
    await queryRunner.query(`ALTER TABLE audit_event DROP COLUMN hash, DROP COLUMN prev_hash, DROP COLUMN seq`);
  }
}

/** Chains the rows written before this migration, per tenant in id order; returns each tenant's last link. */
async function backfillChains(queryRunner: QueryRunner): Promise<{ tenantId: string; seq: number; hash: string }[]> {
  const heads = new Map<string, { tenantId: string; seq: number; hash: string }>();
  let afterId = '0';
  for (;;) {
    const rows = (await queryRunner.query(
      `SELECT id, tenant_id, near_miss_id, at, actor, action, detail FROM audit_event WHERE id > $1 ORDER BY id LIMIT $2`,
      [afterId, backfillBatch],
    )) as {
      id: string;
      tenant_id: string;
      near_miss_id: string | null;
      at: Date;
      actor: string | null;
      action: string;
      detail: unknown;
    }[];
    if (rows.length === 0) break;
    const links = rows.map((row) => {
      const previous = heads.get(row.tenant_id) ?? { tenantId: row.tenant_id, seq: 0, hash: genesisHash };
      const seq = previous.seq + 1;
      const hash = auditRowHash({
        tenantId: row.tenant_id,
        seq,
        nearMissId: row.near_miss_id,
        at: row.at,
        actor: row.actor,
        action: row.action,
        detail: row.detail,
        prevHash: previous.hash,
      });
      heads.set(row.tenant_id, { tenantId: row.tenant_id, seq, hash });
      return { id: row.id, seq, prevHash: previous.hash, hash };
    });
    await queryRunner.query(
      `UPDATE audit_event AS event SET seq = link.seq, prev_hash = link.prev_hash, hash = link.hash
       FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[]) AS link (id, seq, prev_hash, hash)
       WHERE event.id = link.id`,
      [
        links.map((link) => link.id),
        links.map((link) => link.seq),
        links.map((link) => link.prevHash),
        links.map((link) => link.hash),
      ],
    );
    afterId = rows[rows.length - 1].id;
  }
  return [...heads.values()];
}
