import { Injectable } from '@nestjs/common';
import { SUPER_ADMIN } from '../directory/grant.service.js';
import { sqlRead } from '../infra/database/sql.js';
import { TransactionRunner } from '../infra/database/transaction-runner.js';

/** The tenants a resolution looks in: these (besides global grants), or every tenant ('any'). */
export type TenantScope = readonly string[] | 'any';
/** The permissions a resolution reads: these, or every one ('all'). */
export type PermissionScope = readonly string[] | 'all';

/**
 * A role ('r') or permission ('p') held globally (scope '') or in a tenant (scope = tenant id); and
 * one 'u' row for the user itself, with scope 'disabled' when it is and its stamp. No 'u' row: no
 * such user.
 */
export interface HeldRow {
  kind: 'u' | 'r' | 'p';
  scope: string;
  idOrStamp: string;
}

/** The user's standing (STANDING) and stamp (STAMP); no row for no such user. */
export interface StandingRow {
  standing: string;
  stamp: string;
}

/** Of a `users` row: '' for a user who may hold something, 'disabled' for one who holds nothing. */
const STANDING = `CASE WHEN disabled_at IS NULL THEN '' ELSE 'disabled' END`;

/**
 * Of a `users` row: everything a check's answer depends on besides the asked ids. The user's grant
 * version, the catalog version (both counted by triggers, see migration CheckVersions) and the
 * super-admin flag. Equal stamps, equal answers.
 */
const STAMP = `CAST(COALESCE((SELECT version FROM grant_versions WHERE user_id = users.id), 0) AS TEXT) || '.' || CAST((SELECT version FROM catalog_version WHERE id = 1) AS TEXT) || '.' || CASE WHEN super_admin THEN '1' ELSE '0' END`;

const list = (n: number) => Array.from({ length: n }, () => '?').join(', ');
const NONE: readonly string[] = [];

/**
 * The SQL of one shape of resolution, all of it in one statement; the parameters come from
 * `heldParams` in the same order. The user's roles (global, in the asked tenants, and super_admin
 * for a super admin) are read once, in `held_roles`, and joined to the asked permissions from there
 * (85 → 67 µs a check on 1M grants). The user's own row rides along, so there is no second statement
 * (on PostgreSQL, no second round trip). 'any' tenants and 'all' permissions drop that filter: still
 * index range scans on the user's own grants.
 */
function heldSql(tenants: number | 'any', permissions: number | 'all'): string {
  const inTenants = tenants === 'any' ? '' : ` AND tenant_id IN (${list(tenants)})`;
  const p = permissions === 'all' ? '' : list(permissions);
  const roles = [`SELECT '' AS scope, role_id FROM global_role_grants WHERE user_id = ?`];
  if (tenants !== 0) roles.push(`SELECT tenant_id, role_id FROM tenant_role_grants WHERE user_id = ?${inTenants}`);
  roles.push(`SELECT '', '${SUPER_ADMIN}' FROM users WHERE id = ? AND super_admin`);
  const parts = [
    `SELECT 'u' AS "kind", ${STANDING} AS "scope", ${STAMP} AS "idOrStamp" FROM users WHERE id = ?`,
    `SELECT 'r', scope, role_id FROM held_roles`,
  ];
  if (permissions !== 0) {
    const asked = (column: string) => (permissions === 'all' ? '' : ` AND ${column} IN (${p})`);
    parts.push(
      `SELECT 'p', h.scope, rp.permission_id FROM held_roles h JOIN role_permissions rp ON rp.role_id = h.role_id${permissions === 'all' ? '' : ` WHERE rp.permission_id IN (${p})`}`,
    );
    parts.push(
      `SELECT 'p', '', permission_id FROM global_permission_grants WHERE user_id = ?${asked('permission_id')}`,
    );
    if (tenants !== 0) {
      parts.push(
        `SELECT 'p', tenant_id, permission_id FROM tenant_permission_grants WHERE user_id = ?${inTenants}${asked('permission_id')}`,
      );
    }
  }
  return `WITH held_roles (scope, role_id) AS (${roles.join(' UNION ALL ')})\n${parts.join('\nUNION ALL ')}`;
}

function heldParams(userId: string, tenants: TenantScope, permissions: PermissionScope): unknown[] {
  const tenantIds = tenants === 'any' ? NONE : tenants;
  const permissionIds = permissions === 'all' ? NONE : permissions;
  const inTenants = tenants === 'any' || tenants.length > 0;
  const params: unknown[] = [userId];
  if (inTenants) params.push(userId, ...tenantIds);
  params.push(userId, userId);
  if (permissions === 'all' || permissions.length > 0) {
    params.push(...permissionIds, userId, ...permissionIds);
    if (inTenants) params.push(userId, ...tenantIds, ...permissionIds);
  }
  return params;
}

/**
 * The statements of permission resolution, hand-written for the check's hot path: what a user holds
 * with their standing and stamp in one statement, or only the standing and stamp.
 */
@Injectable()
export class CheckRepository {
  /** One statement per shape of resolution (how many tenants, how many permissions, or 'any'/'all'). */
  private readonly heldQueries = new Map<string, (...params: unknown[]) => Promise<HeldRow[]>>();

  /** The user's standing and stamp: no row for no such user. */
  readonly standingOf: (userId: string) => Promise<StandingRow[]>;

  constructor(private readonly db: TransactionRunner) {
    this.standingOf = sqlRead<StandingRow>(
      db,
      `SELECT ${STANDING} AS "standing", ${STAMP} AS "stamp" FROM users WHERE id = ?`,
    );
  }

  /**
   * The user's 'u' row, their roles globally and in the tenants, and which of the permissions they
   * hold there, directly or through those roles.
   */
  held(userId: string, tenants: TenantScope, permissions: PermissionScope): Promise<HeldRow[]> {
    const t = tenants === 'any' ? tenants : tenants.length;
    const p = permissions === 'all' ? permissions : permissions.length;
    return this.heldQuery(t, p)(...heldParams(userId, tenants, permissions));
  }

  private heldQuery(tenants: number | 'any', permissions: number | 'all') {
    const key = `${tenants}:${permissions}`;
    let query = this.heldQueries.get(key);
    if (!query) {
      if (this.heldQueries.size > 500) this.heldQueries.clear();
      query = sqlRead<HeldRow>(this.db, heldSql(tenants, permissions));
      this.heldQueries.set(key, query);
    }
    return query;
  }
}
