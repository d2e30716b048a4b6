import type { DataSource } from 'typeorm';
import { capture, describeEachDatabase, signedInUser, useServer } from './harness.js';

const TENANTS = 2_000;
const USERS = 10_000;
const ROLES = 50;
const PERMISSIONS = ROLES * 40;

/**
 * A directory big enough that a missing index shows: 2k tenants, 10k users, 50 roles holding 40 of
 * 2k permissions each, and each user
 * a member with a role in 10 tenants (100k memberships, 100k role grants, 100k permission grants),
 * and 1k global grants of each kind; one live session per user.
 */
async function seed(db: DataSource): Promise<void> {
  const now = Date.now();
  const literal = (v: string | number | boolean) =>
    typeof v === 'string' ? `'${v}'` : typeof v === 'boolean' ? String(v).toUpperCase() : String(v);
  const insert = async (table: string, columns: string[], rows: (string | number | boolean)[][]) => {
    for (let i = 0; i < rows.length; i += 500) {
      const chunk = rows.slice(i, i + 500);
      const values = chunk.map((r) => `(${r.map(literal).join(', ')})`).join(', ');
      await db.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values}`);
    }
  };
  await insert(
    'tenants',
    ['id', 'name', 'created_at', 'updated_at'],
    Array.from({ length: TENANTS }, (_, i) => [`st-${i}`, `T${i}`, now, now]),
  );
  await insert(
    'users',
    ['id', 'email', 'super_admin', 'created_at', 'updated_at'],
    Array.from({ length: USERS }, (_, i) => [`su-${i}`, `su-${i}@scale.test`, false, now, now]),
  );
  await insert(
    'roles',
    ['id', 'created_at', 'updated_at'],
    Array.from({ length: ROLES }, (_, i) => [`sr-${i}`, now, now]),
  );
  await insert(
    'permissions',
    ['id', 'created_at', 'updated_at'],
    Array.from({ length: PERMISSIONS }, (_, i) => [`sp-${i}`, now, now]),
  );
  await insert(
    'role_permissions',
    ['role_id', 'permission_id'],
    Array.from({ length: PERMISSIONS }, (_, i) => [`sr-${i % ROLES}`, `sp-${i}`]),
  );
  const memberships: (string | number)[][] = [];
  const roleGrants: (string | number)[][] = [];
  const permissionGrants: (string | number)[][] = [];
  for (let u = 0; u < USERS; u++) {
    for (let k = 0; k < 10; k++) {
      const tenant = `st-${(u * 7 + k * 131) % TENANTS}`;
      memberships.push([tenant, `su-${u}`, now + k]);
      roleGrants.push([`su-${u}`, tenant, `sr-${(u + k) % ROLES}`]);
      permissionGrants.push([`su-${u}`, tenant, `sp-${(u + k) % PERMISSIONS}`]);
    }
  }
  await insert('memberships', ['tenant_id', 'user_id', 'created_at'], memberships);
  await insert('tenant_role_grants', ['user_id', 'tenant_id', 'role_id'], roleGrants);
  await insert('tenant_permission_grants', ['user_id', 'tenant_id', 'permission_id'], permissionGrants);
  // Every tenth user also holds a role and a permission globally.
  const everyTenth = Array.from({ length: USERS / 10 }, (_, i) => i * 10);
  await insert(
    'global_role_grants',
    ['user_id', 'role_id'],
    everyTenth.map((u) => [`su-${u}`, `sr-${u % ROLES}`]),
  );
  await insert(
    'global_permission_grants',
    ['user_id', 'permission_id'],
    everyTenth.map((u) => [`su-${u}`, `sp-${u % PERMISSIONS}`]),
  );
  const day = 86_400_000;
  await insert(
    'sessions',
    [
      'id',
      'user_id',
      'type',
      'secret_hash',
      'expiration',
      'created_at',
      'last_used_at',
      'expires_at',
      'absolute_expires_at',
    ],
    Array.from({ length: USERS }, (_, u) => [
      `ss-${u}`,
      `su-${u}`,
      'user',
      '0'.repeat(64),
      600,
      now,
      now,
      now + day,
      now + day,
    ]),
  );
}

describeEachDatabase('checks and listings at scale', (kind) => {
  const t = useServer(kind);
  const planOf = async (sql: string, params: unknown[]) =>
    (kind === 'sqlite'
      ? (await t.server.db.query<{ detail: string }[]>(`EXPLAIN QUERY PLAN ${sql}`, params)).map((r) => r.detail)
      : (await t.server.db.query<{ 'QUERY PLAN': string }[]>(`EXPLAIN ${sql}`, params)).map((r) => r['QUERY PLAN'])
    ).join('\n');

  beforeAll(async () => {
    await seed(t.server.db);
    // Real deployments run ANALYZE (PostgreSQL's autovacuum does); give the planner the statistics.
    await t.server.db.query('ANALYZE');
  }, 120_000);

  it('answers 10 checks across tenants with one statement of index lookups', async () => {
    const checks = [
      ...Array.from({ length: 5 }, (_, i) => ({ permission: `sp-${i}`, tenantId: `st-${i * 131}` })),
      ...Array.from({ length: 5 }, (_, i) => ({ role: `sr-${i}`, tenantId: `st-${i * 131}` })),
    ];
    let results: boolean[] = [];
    const statements = await capture(t.server.db, async () => {
      results = (await t.server.admin.check({ userId: 'su-0', op: 'anyOf', checks })).results;
    });
    expect(results).toContain(true);
    // The API key's own lookup aside: one statement over the user and the grant tables.
    const reads = statements.filter((s) => /^\s*(SELECT|WITH)/i.test(s.sql) && !/api_keys/.test(s.sql));
    expect(reads.length).toBe(1);

    for (const { sql, params } of reads) {
      const text = await planOf(sql, params);
      // A full scan of a table of this size is exactly what must never happen on the hot path.
      // (held_roles is the user's own roles, read by index a line above.)
      if (kind === 'sqlite') expect(text).not.toMatch(/\bSCAN (?!held_roles\b)/);
      else expect(text).not.toMatch(/Seq Scan on (tenant_|global_|role_permissions|memberships|users)/);
    }
  }, 60_000);

  it('finds a session and its user by index', async () => {
    const { client } = await signedInUser(t.server);
    const statements = await capture(t.server.db, () => client.sessions.current());
    const reads = statements.filter((s) => /FROM sessions s/.test(s.sql));
    expect(reads).toHaveLength(1);
    const text = await planOf(reads[0]!.sql, reads[0]!.params);
    if (kind === 'sqlite') expect(text).not.toMatch(/\bSCAN\b/);
    else expect(text).not.toMatch(/Seq Scan/);
  });

  it('lists a page of members with a fixed number of statements (no N+1)', async () => {
    const counts: number[] = [];
    for (const limit of [5, 50]) {
      const statements = await capture(t.server.db, () => t.server.admin.members.list('st-0', { limit }));
      // The API key's lookup aside.
      counts.push(statements.filter((s) => /^\s*SELECT/i.test(s.sql) && !/api_keys/.test(s.sql)).length);
    }
    expect(counts[0]).toBe(counts[1]);
    expect(counts[0]).toBeLessThanOrEqual(5);
  });
});
