import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

const nullableEmail = (isNullable: boolean) =>
  new TableColumn({ name: 'email', type: 'varchar', length: '320', isNullable });

/**
 * A user may have no email (Warrant's users need none); such a user cannot sign in with a password.
 * PostgreSQL alters the column in place: TypeORM's changeColumn would rebuild it there, losing the
 * data and its unique index. SQLite can only rebuild the table, which TypeORM does safely.
 */
export class OptionalEmail1763900005000 implements MigrationInterface {
  name = 'OptionalEmail1763900005000';

  async up(q: QueryRunner): Promise<void> {
    if (q.connection.driver.options.type === 'postgres')
      await q.query('ALTER TABLE "users" ALTER COLUMN "email" DROP NOT NULL');
    else await q.changeColumn('users', 'email', nullableEmail(true));
  }

  async down(q: QueryRunner): Promise<void> {
    if (q.connection.driver.options.type === 'postgres')
      await q.query('ALTER TABLE "users" ALTER COLUMN "email" SET NOT NULL');
    else await q.changeColumn('users', 'email', nullableEmail(false));
  }
}
