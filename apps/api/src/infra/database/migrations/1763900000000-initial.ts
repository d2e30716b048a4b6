import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

const bigint = (name: string, nullable = false) => ({ name, type: 'bigint', isNullable: nullable });
const varchar = (name: string, length: number, nullable = false) => ({
  name,
  type: 'varchar',
  length: String(length),
  isNullable: nullable,
});

/** Users, sessions and API keys. Written with TypeORM's schema API so it runs on SQLite and PostgreSQL. */
export class Initial1763900000000 implements MigrationInterface {
  name = 'Initial1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'users',
        columns: [
          { ...varchar('id', 128), isPrimary: true },
          varchar('email', 320),
          varchar('password_hash', 255, true),
          { name: 'super_admin', type: 'boolean', isNullable: false },
          bigint('disabled_at', true),
          bigint('created_at'),
          bigint('updated_at'),
        ],
        indices: [new TableIndex({ name: 'uq_users_email', columnNames: ['email'], isUnique: true })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'sessions',
        columns: [
          { ...varchar('id', 36), isPrimary: true },
          varchar('user_id', 128),
          varchar('type', 16),
          varchar('tenant_id', 128, true),
          varchar('impersonator_id', 128, true),
          varchar('secret_hash', 64),
          { name: 'expiration', type: 'integer', isNullable: false },
          bigint('created_at'),
          bigint('last_used_at'),
          bigint('expires_at'),
          bigint('absolute_expires_at'),
          bigint('revoked_at', true),
          varchar('ip', 64, true),
          varchar('user_agent', 512, true),
        ],
        indices: [new TableIndex({ name: 'ix_sessions_user', columnNames: ['user_id', 'created_at'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'api_keys',
        columns: [
          { ...varchar('id', 36), isPrimary: true },
          varchar('name', 200),
          varchar('role', 16),
          varchar('secret_hash', 64),
          varchar('bootstrap', 32, true),
          bigint('created_at'),
          bigint('last_used_at', true),
          bigint('expires_at', true),
          bigint('revoked_at', true),
        ],
        indices: [
          new TableIndex({ name: 'uq_api_keys_secret_hash', columnNames: ['secret_hash'], isUnique: true }),
          new TableIndex({ name: 'uq_api_keys_bootstrap', columnNames: ['bootstrap'], isUnique: true }),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('api_keys');
    await q.dropTable('sessions');
    await q.dropTable('users');
  }
}
