import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

const varchar = (name: string, length: number, nullable = true) => ({
  name,
  type: 'varchar',
  length: String(length),
  isNullable: nullable,
});

/** The audit log. */
export class Audit1763900002000 implements MigrationInterface {
  name = 'Audit1763900002000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'audit_events',
        columns: [
          { ...varchar('id', 36, false), isPrimary: true },
          varchar('type', 64, false),
          varchar('actor_user_id', 128),
          varchar('actor_api_key_id', 36),
          varchar('user_id', 128),
          varchar('session_id', 36),
          varchar('tenant_id', 128),
          varchar('ip', 64),
          varchar('user_agent', 512),
          { name: 'at', type: 'bigint', isNullable: false },
          { name: 'details', type: 'text', isNullable: true },
        ],
        indices: [
          new TableIndex({ name: 'ix_audit_events_at', columnNames: ['at', 'id'] }),
          new TableIndex({ name: 'ix_audit_events_user', columnNames: ['user_id', 'at'] }),
          new TableIndex({ name: 'ix_audit_events_actor', columnNames: ['actor_user_id', 'at'] }),
          new TableIndex({ name: 'ix_audit_events_type', columnNames: ['type', 'at'] }),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('audit_events');
  }
}
