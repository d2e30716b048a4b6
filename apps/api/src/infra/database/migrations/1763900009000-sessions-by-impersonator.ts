import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** sessions by impersonator: a person's change of password ends the impersonations they started. */
export class SessionsByImpersonator1763900009000 implements MigrationInterface {
  name = 'SessionsByImpersonator1763900009000';

  async up(q: QueryRunner): Promise<void> {
    await q.createIndex(
      'sessions',
      new TableIndex({ name: 'ix_sessions_impersonator', columnNames: ['impersonator_id'] }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('sessions', 'ix_sessions_impersonator');
  }
}
