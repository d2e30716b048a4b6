import { Table, TableForeignKey, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

const id = (name: string) => ({ name, type: 'varchar', length: '128', isNullable: false, isPrimary: true });
const cascade = (column: string, table: string) =>
  new TableForeignKey({
    columnNames: [column],
    referencedTableName: table,
    referencedColumnNames: ['id'],
    onDelete: 'CASCADE',
  });

/** Pricing tiers and features, and who holds them (Warrant's `pricing-tier` and `feature`). */
export class Entitlements1763900006000 implements MigrationInterface {
  name = 'Entitlements1763900006000';

  async up(q: QueryRunner): Promise<void> {
    for (const name of ['features', 'pricing_tiers']) {
      await q.createTable(
        new Table({
          name,
          columns: [
            id('id'),
            { name: 'name', type: 'varchar', length: '200', isNullable: true },
            { name: 'description', type: 'varchar', length: '1000', isNullable: true },
            { name: 'created_at', type: 'bigint', isNullable: false },
            { name: 'updated_at', type: 'bigint', isNullable: false },
          ],
        }),
      );
    }
    const links: [string, string, string, string, string][] = [
      ['pricing_tier_features', 'pricing_tier_id', 'pricing_tiers', 'feature_id', 'features'],
      ['tenant_pricing_tiers', 'tenant_id', 'tenants', 'pricing_tier_id', 'pricing_tiers'],
      ['tenant_features', 'tenant_id', 'tenants', 'feature_id', 'features'],
      ['user_pricing_tiers', 'user_id', 'users', 'pricing_tier_id', 'pricing_tiers'],
      ['user_features', 'user_id', 'users', 'feature_id', 'features'],
    ];
    for (const [name, owner, ownerTable, held, heldTable] of links) {
      await q.createTable(
        new Table({
          name,
          columns: [id(owner), id(held)],
          foreignKeys: [cascade(owner, ownerTable), cascade(held, heldTable)],
          indices: [
            new TableIndex({ name: `ix_${name}_${held === 'feature_id' ? 'feature' : 'tier'}`, columnNames: [held] }),
          ],
        }),
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const name of [
      'user_features',
      'user_pricing_tiers',
      'tenant_features',
      'tenant_pricing_tiers',
      'pricing_tier_features',
      'pricing_tiers',
      'features',
    ]) {
      await q.dropTable(name);
    }
  }
}
