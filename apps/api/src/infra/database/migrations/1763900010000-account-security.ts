import { Table, TableColumn, TableForeignKey, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

const bigint = (name: string, isNullable = false) => ({ name, type: 'bigint', isNullable });
const hash = (name: string) => ({ name, type: 'varchar', length: '64', isPrimary: true, isNullable: false });
const userId = { name: 'user_id', type: 'varchar', length: '128', isNullable: false };
const ofUser = () =>
  new TableForeignKey({
    columnNames: ['user_id'],
    referencedTableName: 'users',
    referencedColumnNames: ['id'],
    onDelete: 'CASCADE',
  });

/**
 * Account security: verified emails, the TOTP second factor with recovery codes and sign-in
 * challenges, one-time tokens sent by mail (password reset, email verification and change), and the
 * outbox mail is sent from.
 */
export class AccountSecurity1763900010000 implements MigrationInterface {
  name = 'AccountSecurity1763900010000';

  async up(q: QueryRunner): Promise<void> {
    // A boolean default as each database spells it (SQLite keeps booleans as 0 and 1).
    const no = q.connection.options.type === 'postgres' ? 'false' : '0';
    await q.addColumns('users', [
      new TableColumn({ name: 'email_verified_at', type: 'bigint', isNullable: true }),
      new TableColumn({ name: 'mfa_enabled', type: 'boolean', isNullable: false, default: no }),
    ]);
    await q.addColumn(
      'sessions',
      new TableColumn({ name: 'enrol_only', type: 'boolean', isNullable: false, default: no }),
    );
    await q.createTable(
      new Table({
        name: 'mfa_totp',
        columns: [
          { ...userId, isPrimary: true },
          { name: 'secret_enc', type: 'varchar', length: '512', isNullable: false },
          bigint('created_at'),
          bigint('confirmed_at', true),
          bigint('last_used_step', true),
        ],
        foreignKeys: [ofUser()],
      }),
    );
    await q.createTable(
      new Table({
        name: 'recovery_codes',
        columns: [hash('code_hash'), userId, bigint('created_at'), bigint('used_at', true)],
        foreignKeys: [ofUser()],
        indices: [new TableIndex({ name: 'ix_recovery_codes_user', columnNames: ['user_id'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'mfa_challenges',
        columns: [
          hash('challenge_hash'),
          userId,
          { name: 'expiration', type: 'integer', isNullable: false },
          { name: 'ip', type: 'varchar', length: '64', isNullable: true },
          { name: 'user_agent', type: 'varchar', length: '512', isNullable: true },
          { name: 'attempts', type: 'integer', isNullable: false, default: 0 },
          bigint('created_at'),
          bigint('expires_at'),
          bigint('used_at', true),
        ],
        foreignKeys: [ofUser()],
        indices: [new TableIndex({ name: 'ix_mfa_challenges_user', columnNames: ['user_id'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'user_tokens',
        columns: [
          hash('token_hash'),
          userId,
          { name: 'purpose', type: 'varchar', length: '32', isNullable: false },
          { name: 'email', type: 'varchar', length: '320', isNullable: false },
          bigint('created_at'),
          bigint('expires_at'),
          bigint('used_at', true),
        ],
        foreignKeys: [ofUser()],
        indices: [new TableIndex({ name: 'ix_user_tokens_user', columnNames: ['user_id', 'purpose'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'mail_outbox',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true, isNullable: false },
          { name: 'recipient', type: 'varchar', length: '320', isNullable: false },
          { name: 'template', type: 'varchar', length: '64', isNullable: false },
          { name: 'payload', type: 'text', isNullable: true },
          { name: 'attempts', type: 'integer', isNullable: false, default: 0 },
          bigint('created_at'),
          bigint('next_attempt_at'),
          bigint('locked_until', true),
          bigint('sent_at', true),
          bigint('failed_at', true),
          { name: 'last_error', type: 'varchar', length: '512', isNullable: true },
        ],
        indices: [
          new TableIndex({ name: 'ix_mail_outbox_due', columnNames: ['sent_at', 'failed_at', 'next_attempt_at'] }),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['mail_outbox', 'user_tokens', 'mfa_challenges', 'recovery_codes', 'mfa_totp']) {
      await q.dropTable(table);
    }
    await q.dropColumn('sessions', 'enrol_only');
    await q.dropColumn('users', 'mfa_enabled');
    await q.dropColumn('users', 'email_verified_at');
  }
}
