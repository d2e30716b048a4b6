import { Table, TableForeignKey, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

const bigint = (name: string) => ({ name, type: 'bigint', isNullable: false });
const id = (name: string, primary = false) => ({
  name,
  type: 'varchar',
  length: '128',
  isNullable: false,
  isPrimary: primary,
});
const text = (name: string, length: number) => ({ name, type: 'varchar', length: String(length), isNullable: true });
const cascade = (columns: string[], table: string, referenced: string[] = ['id']) =>
  new TableForeignKey({
    columnNames: columns,
    referencedTableName: table,
    referencedColumnNames: referenced,
    onDelete: 'CASCADE',
  });
const index = (name: string, columns: string[]) => new TableIndex({ name, columnNames: columns });

/** Tenants, roles, permissions, memberships and grants, with the built-in roles and permissions. */
export class Directory1763900001000 implements MigrationInterface {
  name = 'Directory1763900001000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'tenants',
        columns: [
          id('id', true),
          { ...text('name', 200), isNullable: false },
          bigint('created_at'),
          bigint('updated_at'),
        ],
      }),
    );
    for (const name of ['roles', 'permissions']) {
      await q.createTable(
        new Table({
          name,
          columns: [
            id('id', true),
            text('name', 200),
            text('description', 1000),
            bigint('created_at'),
            bigint('updated_at'),
          ],
        }),
      );
    }
    await q.createTable(
      new Table({
        name: 'role_permissions',
        columns: [id('role_id', true), id('permission_id', true)],
        foreignKeys: [cascade(['role_id'], 'roles'), cascade(['permission_id'], 'permissions')],
        indices: [index('ix_role_permissions_permission', ['permission_id'])],
      }),
    );
    await q.createTable(
      new Table({
        name: 'memberships',
        columns: [id('tenant_id', true), id('user_id', true), bigint('created_at')],
        foreignKeys: [cascade(['tenant_id'], 'tenants'), cascade(['user_id'], 'users')],
        indices: [index('ix_memberships_user', ['user_id', 'tenant_id'])],
      }),
    );
    for (const [name, grant, target] of [
      ['tenant_role_grants', 'role_id', 'roles'],
      ['tenant_permission_grants', 'permission_id', 'permissions'],
    ] as const) {
      await q.createTable(
        new Table({
          name,
          columns: [id('user_id', true), id('tenant_id', true), id(grant, true)],
          foreignKeys: [
            cascade(['tenant_id', 'user_id'], 'memberships', ['tenant_id', 'user_id']),
            cascade([grant], target),
          ],
          indices: [
            index(`ix_${name}_tenant`, ['tenant_id', 'user_id']),
            index(`ix_${name}_${grant.replace('_id', '')}`, [grant]),
          ],
        }),
      );
    }
    for (const [name, grant, target] of [
      ['global_role_grants', 'role_id', 'roles'],
      ['global_permission_grants', 'permission_id', 'permissions'],
    ] as const) {
      await q.createTable(
        new Table({
          name,
          columns: [id('user_id', true), id(grant, true)],
          foreignKeys: [cascade(['user_id'], 'users'), cascade([grant], target)],
          indices: [index(`ix_${name}_${grant.replace('_id', '')}`, [grant])],
        }),
      );
    }

    // Built-ins: constants, so plain literals are safe and portable.
    const now = Date.now();
    const row = (table: string, id: string, name: string, description: string) =>
      q.query(
        `INSERT INTO ${table} (id, name, description, created_at, updated_at) VALUES ('${id}', '${name}', '${description}', ${now}, ${now})`,
      );
    await row(
      'permissions',
      'view-self-service-dashboard',
      'View the self-service dashboard',
      'May open the self-service dashboard of a tenant',
    );
    await row(
      'permissions',
      'impersonate-users',
      'Impersonate users',
      'May create session tokens for members of a tenant',
    );
    await row('roles', 'admin', 'Admin', 'Tenant administrator');
    await row('roles', 'member', 'Member', 'Tenant member');
    await row('roles', 'super_admin', 'Super admin', 'Global administrator of this Tessera (grant globally only)');
    for (const permission of ['view-self-service-dashboard', 'impersonate-users']) {
      await q.query(`INSERT INTO role_permissions (role_id, permission_id) VALUES ('admin', '${permission}')`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'global_permission_grants',
      'global_role_grants',
      'tenant_permission_grants',
      'tenant_role_grants',
      'memberships',
      'role_permissions',
      'permissions',
      'roles',
      'tenants',
    ]) {
      await q.dropTable(table);
    }
  }
}
