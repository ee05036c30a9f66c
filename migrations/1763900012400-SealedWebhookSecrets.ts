import type { MigrationInterface, QueryRunner } from 'typeorm';

const unsealedReason = 'the signing secret was stored unencrypted and has been erased; register the webhook again';

/**
 * Webhook signing secrets are stored sealed (AES-256-GCM under
 * WEBHOOK_SECRET_KEY, the envelope `v1:<iv>:<tag>:<ciphertext>`, see
 * subgraph/outbox/webhook-secret-cipher.ts) in the same `secret` column.
 *
 * A migration has no key, so it cannot seal the secrets stored in plain
 * before: it erases them (NULL), deactivates their webhooks and gives up
 * their pending deliveries (DEAD, with the reason), so the plaintext leaves
 * the table now rather than whenever someone re-registers. Admins register
 * those receivers again and get a new secret. A check keeps anything but an
 * envelope (or NULL on an inactive webhook) out of the column.
 *
 * Down cannot unseal (no key either): it drops the check and leaves erased
 * secrets empty, so those webhooks stay inactive.
 */
export class SealedWebhookSecrets1763900012400 implements MigrationInterface {
  name = 'SealedWebhookSecrets1763900012400';

  async up(queryRunner: QueryRunner): Promise<void> {
    // The tables force row-level security on their owner too; these statements are about every tenant's rows.
    await queryRunner.query(`ALTER TABLE webhook_subscription NO FORCE ROW LEVEL SECURITY`);
    await queryRunner.query(`ALTER TABLE webhook_delivery NO FORCE ROW LEVEL SECURITY`);
    await queryRunner.query(`ALTER TABLE webhook_subscription ALTER COLUMN secret DROP NOT NULL`);
    await queryRunner.query(
      `UPDATE webhook_delivery SET status = 'DEAD', locked_until = NULL, lease_token = NULL, last_error = $1
       WHERE status = 'PENDING'
         AND subscription_id IN (SELECT id FROM webhook_subscription WHERE secret NOT LIKE 'v1:%')`,
      [unsealedReason],
    );
    await queryRunner.query(
      `UPDATE webhook_subscription SET secret = NULL, active = false, deactivated_at = coalesce(deactivated_at, clock_timestamp())
       WHERE secret NOT LIKE 'v1:%'`,
    );
    await queryRunner.query(
      `ALTER TABLE webhook_subscription ADD CONSTRAINT webhook_subscription_secret_sealed
         CHECK (secret LIKE 'v1:%' OR (secret IS NULL AND NOT active))`,
    );
    await queryRunner.query(`ALTER TABLE webhook_delivery FORCE ROW LEVEL SECURITY`);
    await queryRunner.query(`ALTER TABLE webhook_subscription FORCE ROW LEVEL SECURITY`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE webhook_subscription NO FORCE ROW LEVEL SECURITY`);
    await queryRunner.query(`ALTER TABLE webhook_subscription DROP CONSTRAINT webhook_subscription_secret_sealed`);
    await queryRunner.query(`UPDATE webhook_subscription SET secret = '' WHERE secret IS NULL`);
    await queryRunner.query(`ALTER TABLE webhook_subscription ALTER COLUMN secret SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE webhook_subscription FORCE ROW LEVEL SECURITY`);
  }
}
