import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** One-time codes of self-service dashboard links. */
export class SelfService1763900003000 implements MigrationInterface {
  name = 'SelfService1763900003000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'self_service_codes',
        columns: [
          { name: 'code_hash', type: 'varchar', length: '64', isPrimary: true, isNullable: false },
          { name: 'user_id', type: 'varchar', length: '128', isNullable: false },
          { name: 'tenant_id', type: 'varchar', length: '128', isNullable: false },
          { name: 'redirect_url', type: 'varchar', length: '2048', isNullable: true },
          { name: 'session_expires_at', type: 'bigint', isNullable: false },
          { name: 'expires_at', type: 'bigint', isNullable: false },
          { name: 'used_at', type: 'bigint', isNullable: true },
          { name: 'created_at', type: 'bigint', isNullable: false },
        ],
        indices: [new TableIndex({ name: 'ix_self_service_codes_expires', columnNames: ['expires_at'] })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('self_service_codes');
  }
}
