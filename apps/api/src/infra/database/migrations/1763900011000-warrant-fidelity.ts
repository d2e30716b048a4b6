import { Table, TableColumn, TableForeignKey, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

const nullableName = (isNullable: boolean) =>
  new TableColumn({ name: 'name', type: 'varchar', length: '200', isNullable });
const id = (name: string) => ({ name, type: 'varchar', length: '128', isNullable: false, isPrimary: true });
const toTier = (column: string) =>
  new TableForeignKey({
    columnNames: [column],
    referencedTableName: 'pricing_tiers',
    referencedColumnNames: ['id'],
    onDelete: 'CASCADE',
  });

/**
 * Warrant's model where Tessera's was narrower: a tenant may have no name (Warrant keeps `name: null`),
 * and a pricing tier may include other pricing tiers (`pricing-tier:free#member@pricing-tier:enterprise`:
 * whoever holds enterprise holds free's features too). The column is altered as OptionalEmail does.
 */
export class WarrantFidelity1763900011000 implements MigrationInterface {
  name = 'WarrantFidelity1763900011000';

  async up(q: QueryRunner): Promise<void> {
    if (q.connection.driver.options.type === 'postgres')
      await q.query('ALTER TABLE "tenants" ALTER COLUMN "name" DROP NOT NULL');
    else await q.changeColumn('tenants', 'name', nullableName(true));
    await q.createTable(
      new Table({
        name: 'pricing_tier_tiers',
        columns: [id('pricing_tier_id'), id('included_tier_id')],
        foreignKeys: [toTier('pricing_tier_id'), toTier('included_tier_id')],
        indices: [new TableIndex({ name: 'ix_pricing_tier_tiers_included', columnNames: ['included_tier_id'] })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('pricing_tier_tiers');
    await q.query(`UPDATE tenants SET name = id WHERE name IS NULL`);
    if (q.connection.driver.options.type === 'postgres')
      await q.query('ALTER TABLE "tenants" ALTER COLUMN "name" SET NOT NULL');
    else await q.changeColumn('tenants', 'name', nullableName(false));
  }
}
