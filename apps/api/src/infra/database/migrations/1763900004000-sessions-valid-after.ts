import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/** users.sessions_valid_after: "sign out everywhere" also kills sessions inserted while it ran. */
export class SessionsValidAfter1763900004000 implements MigrationInterface {
  name = 'SessionsValidAfter1763900004000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('users', new TableColumn({ name: 'sessions_valid_after', type: 'bigint', isNullable: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('users', 'sessions_valid_after');
  }
}
