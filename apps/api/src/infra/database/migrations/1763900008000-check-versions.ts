import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

/** The tables whose rows decide what a user holds, per user. */
export const GRANT_TABLES = [
  'tenant_role_grants',
  'tenant_permission_grants',
  'global_role_grants',
  'global_permission_grants',
] as const;

/**
 * Version counters for the check memo (GrantService): `grant_versions` counts the changes to each
 * user's grants, `catalog_version` the changes to roles' permissions. Database triggers keep them,
 * in the same transaction as the change, so no write path can forget them: the app's, a cascade
 * from deleting a tenant, role, permission or user, and an operator's SQL alike. A check reads
 * both on every request and reuses a remembered answer only while they are unchanged.
 *
 * `grant_versions` has no foreign key on purpose: a user deleted and created again under the same
 * id keeps counting up from where the old one stopped, so no answer about the old user is reused.
 */
export class CheckVersions1763900008000 implements MigrationInterface {
  name = 'CheckVersions1763900008000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'grant_versions',
        columns: [
          { name: 'user_id', type: 'varchar', length: '128', isNullable: false, isPrimary: true },
          { name: 'version', type: 'bigint', isNullable: false },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'catalog_version',
        columns: [
          { name: 'id', type: 'integer', isNullable: false, isPrimary: true },
          { name: 'version', type: 'bigint', isNullable: false },
        ],
      }),
    );
    await q.query(`INSERT INTO catalog_version (id, version) VALUES (1, 1)`);
    if (q.connection.options.type === 'postgres') await this.postgresTriggers(q);
    else await this.sqliteTriggers(q);
  }

  private async sqliteTriggers(q: QueryRunner): Promise<void> {
    const bump = (user: string) =>
      `INSERT INTO grant_versions (user_id, version) VALUES (${user}, 1) ON CONFLICT (user_id) DO UPDATE SET version = version + 1;`;
    for (const table of GRANT_TABLES) {
      await q.query(`CREATE TRIGGER ${table}_version_insert AFTER INSERT ON ${table} BEGIN ${bump('NEW.user_id')} END`);
      await q.query(`CREATE TRIGGER ${table}_version_delete AFTER DELETE ON ${table} BEGIN ${bump('OLD.user_id')} END`);
      await q.query(
        `CREATE TRIGGER ${table}_version_update AFTER UPDATE ON ${table} BEGIN ${bump('OLD.user_id')} ${bump('NEW.user_id')} END`,
      );
    }
    for (const event of ['insert', 'delete', 'update']) {
      await q.query(
        `CREATE TRIGGER role_permissions_version_${event} AFTER ${event.toUpperCase()} ON role_permissions BEGIN UPDATE catalog_version SET version = version + 1; END`,
      );
    }
    // A deleted count would start again from 1 and could meet a remembered stamp: move them all.
    await q.query(
      `CREATE TRIGGER grant_versions_delete AFTER DELETE ON grant_versions BEGIN UPDATE catalog_version SET version = version + 1; END`,
    );
  }

  /**
   * Statement-level triggers: a bulk insert of a million grants bumps each user once, not a
   * million times. `SET search_path FROM CURRENT`: the functions find these tables whatever the
   * search path of the session that fires them. TRUNCATE has no rows to name: it bumps the
   * catalog version, which every check compares too.
   */
  private async postgresTriggers(q: QueryRunner): Promise<void> {
    // In user order, so that two bulk changes (deleting a tenant and a role at once) lock the
    // counters they share in the same order and cannot deadlock on them.
    const bump = (rows: string) =>
      `INSERT INTO grant_versions (user_id, version) SELECT DISTINCT user_id, 1 FROM ${rows} ORDER BY user_id ON CONFLICT (user_id) DO UPDATE SET version = grant_versions.version + 1;`;
    const fn = (name: string, body: string) =>
      q.query(
        `CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$ BEGIN ${body} RETURN NULL; END $$`,
      );
    await fn('tessera_grant_version', bump('changed'));
    await fn('tessera_grant_version_update', `${bump('before_rows')} ${bump('after_rows')}`);
    await fn('tessera_catalog_version', 'UPDATE catalog_version SET version = version + 1;');
    for (const table of GRANT_TABLES) {
      await q.query(
        `CREATE TRIGGER ${table}_version_insert AFTER INSERT ON ${table} REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION tessera_grant_version()`,
      );
      await q.query(
        `CREATE TRIGGER ${table}_version_delete AFTER DELETE ON ${table} REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION tessera_grant_version()`,
      );
      await q.query(
        `CREATE TRIGGER ${table}_version_update AFTER UPDATE ON ${table} REFERENCING OLD TABLE AS before_rows NEW TABLE AS after_rows FOR EACH STATEMENT EXECUTE FUNCTION tessera_grant_version_update()`,
      );
      await q.query(
        `CREATE TRIGGER ${table}_version_truncate AFTER TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION tessera_catalog_version()`,
      );
    }
    await q.query(
      `CREATE TRIGGER role_permissions_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON role_permissions FOR EACH STATEMENT EXECUTE FUNCTION tessera_catalog_version()`,
    );
    // A deleted count would start again from 1 and could meet a remembered stamp: move them all.
    await q.query(
      `CREATE TRIGGER grant_versions_delete AFTER DELETE OR TRUNCATE ON grant_versions FOR EACH STATEMENT EXECUTE FUNCTION tessera_catalog_version()`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    const postgres = q.connection.options.type === 'postgres';
    for (const table of GRANT_TABLES) {
      for (const event of ['insert', 'delete', 'update', ...(postgres ? ['truncate'] : [])]) {
        await q.query(`DROP TRIGGER ${table}_version_${event}${postgres ? ` ON ${table}` : ''}`);
      }
    }
    await q.query(`DROP TRIGGER grant_versions_delete${postgres ? ' ON grant_versions' : ''}`);
    if (postgres) {
      await q.query(`DROP TRIGGER role_permissions_version ON role_permissions`);
      for (const fn of ['tessera_grant_version', 'tessera_grant_version_update', 'tessera_catalog_version'])
        await q.query(`DROP FUNCTION ${fn}()`);
    } else {
      for (const event of ['insert', 'delete', 'update'])
        await q.query(`DROP TRIGGER role_permissions_version_${event}`);
    }
    await q.dropTable('catalog_version');
    await q.dropTable('grant_versions');
  }
}
