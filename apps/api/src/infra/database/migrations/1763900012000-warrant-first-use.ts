import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

const key = (name: string, length: string) => ({ name, type: 'varchar', length, isNullable: false, isPrimary: true });

/**
 * What a warrant created on first use (a user, role, tenant… it named before it existed, or the
 * membership a tenant grant needed), so that the last warrant naming it takes it away again.
 */
export class WarrantFirstUse1763900012000 implements MigrationInterface {
  name = 'WarrantFirstUse1763900012000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'warrant_first_use',
        columns: [
          key('type', '32'),
          key('id', '128'),
          key('tenant_id', '128'),
          { name: 'created_at', type: 'bigint', isNullable: false },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('warrant_first_use');
  }
}
