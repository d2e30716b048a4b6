import { Injectable } from '@nestjs/common';
import type { CheckItem } from '@tessera/dto';
import { BoundedCache } from '../common/bounded-cache.js';
import { addTo } from '../common/map-of-sets.js';
import { EntitlementService } from '../entitlements/entitlement.service.js';
import type { UserEntity } from '../users/user.entity.js';
import { CheckRepository, type PermissionScope, type TenantScope } from './check.repository.js';

/**
 * Per tenant (and '' for global): the roles a user holds there, and the permissions, held directly
 * or through those roles. Shared with the memo: read, never change.
 */
export interface Holdings {
  roles: ReadonlyMap<string, ReadonlySet<string>>;
  permissions: ReadonlyMap<string, ReadonlySet<string>>;
}

const GLOBAL = '';
const NOTHING: Holdings = { roles: new Map(), permissions: new Map() };
/** `featuresOfUser`'s answer when no check names a feature. */
const NO_FEATURES: ReadonlyMap<string, ReadonlySet<string>> = new Map();

/** How `check` reads features. */
export interface CheckOptions {
  /**
   * Warrant's `hasFeature`: a feature check without a tenant also counts the features of every
   * tenant the user belongs to (directly or by its pricing tiers), not only the user's own.
   */
  featuresOfAnyTenant?: boolean;
}

/** A resolution's rows, remembered with the stamp they were read under. */
interface Memo {
  stamp: string;
  held: Holdings;
}

/**
 * Resolutions asked differently (other users, tenants or permissions) remembered at once, per
 * generation of the BoundedCache (so up to twice as many). With at most MEMO_MAX_ROWS rows each, the
 * memo stays within a few tens of MB however the checks are asked; larger answers are read again
 * each time.
 */
const MEMO_SIZE = 2000;
const MEMO_MAX_ROWS = 100;

/**
 * The one permission resolver: every "does U hold P (in tenant T)" is answered by `resolve`. A user
 * holds a permission in tenant T through a role held in T, a permission granted in T, or a global
 * role or permission (super_admin, the user's flag, is a global role); without a tenant only global
 * grants count. Unknown users, roles, permissions and tenants are simply not held.
 */
@Injectable()
export class CheckService {
  private readonly memo = new BoundedCache<string, Memo>(MEMO_SIZE);

  constructor(
    private readonly checks: CheckRepository,
    private readonly entitlements: EntitlementService,
  ) {}

  /**
   * One boolean per check. A disabled user holds nothing. One indexed statement for up to 100
   * checks (two with features): the user and everything relevant it holds, in one UNION ALL over
   * the grant tables (roles expanded into their permissions there).
   */
  async check(userId: string, checks: CheckItem[], options: CheckOptions = {}): Promise<boolean[]> {
    const tenants = new Set<string>();
    const permissions = new Set<string>();
    const features = new Set<string>();
    for (const c of checks) {
      if (c.tenantId !== undefined) tenants.add(c.tenantId);
      if (c.permission !== undefined) permissions.add(c.permission);
      else if (c.feature !== undefined) features.add(c.feature);
    }
    const tenantIds = [...tenants];
    const permissionIds = [...permissions];
    // Features are a statement of their own: only when a check names one.
    const [held, featuresHeld] =
      features.size === 0
        ? [await this.resolve(userId, tenantIds, permissionIds, true), NO_FEATURES]
        : await Promise.all([
            this.resolve(userId, tenantIds, permissionIds, true),
            this.entitlements.featuresOfUser(userId, options.featuresOfAnyTenant ? 'any' : tenantIds, [...features]),
          ]);
    if (held === undefined) return checks.map(() => false);
    return checks.map((c) =>
      c.role !== undefined
        ? holds(held.roles, c.role, c.tenantId)
        : c.feature !== undefined
          ? options.featuresOfAnyTenant && c.tenantId === undefined
            ? heldAnywhere(featuresHeld, c.feature)
            : holds(featuresHeld, c.feature, c.tenantId)
          : holds(held.permissions, c.permission!, c.tenantId),
    );
  }

  /** Whether a user holds a permission in a tenant (globally counts too); a disabled user holds nothing. */
  async hasPermission(userId: string, tenantId: string, permissionId: string): Promise<boolean> {
    const [held] = await this.check(userId, [{ permission: permissionId, tenantId }]);
    return held === true;
  }

  /**
   * The roles a user holds globally and in these tenants, and the permissions (these ones, or all)
   * held there. Unlike `check`, a disabled user's grants count: the callers refuse disabled users
   * themselves, each with its own answer.
   */
  async holdings(user: UserEntity, tenantIds: string[], permissionIds?: string[]): Promise<Holdings> {
    return (await this.resolve(user.id, tenantIds, permissionIds ?? 'all', false)) ?? NOTHING;
  }

  /** Every permission a user holds in a tenant: direct, through roles held there, and global. */
  async permissionsIn(user: UserEntity, tenantId: string): Promise<Set<string>> {
    const { permissions } = await this.holdings(user, [tenantId]);
    return new Set([...(permissions.get(GLOBAL) ?? []), ...(permissions.get(tenantId) ?? [])]);
  }

  /** Whether a user holds a permission anywhere: globally or in any tenant, directly or by a role. */
  async holdsAnywhere(user: UserEntity, permissionId: string): Promise<boolean> {
    const held = await this.resolve(user.id, 'any', [permissionId], false);
    return held !== undefined && [...held.permissions.values()].some((ids) => ids.has(permissionId));
  }

  /**
   * What the user holds of the asked tenants and permissions, per scope; undefined for no such user,
   * and with `enabledOnly` for a disabled one.
   *
   * Asked again for the same user, tenants and permissions, it reads only the user's row and stamp
   * (three key lookups instead of about a hundred) and answers from the remembered rows while the
   * stamp is unchanged. The stamp is read every time and its counters move in the same transaction
   * as any grant or role change, on every process: the answer is as current as the full statement's.
   */
  private async resolve(
    userId: string,
    tenants: TenantScope,
    permissions: PermissionScope,
    enabledOnly: boolean,
  ): Promise<Holdings | undefined> {
    const key = JSON.stringify([userId, tenants, permissions]);
    const memo = this.memo.get(key);
    if (memo !== undefined) {
      const [user] = await this.checks.standingOf(userId);
      if (user === undefined || (enabledOnly && user.standing !== '')) return undefined;
      if (user.stamp === memo.stamp) return memo.held;
    }
    const rows = await this.checks.held(userId, tenants, permissions);
    const user = rows.find((r) => r.kind === 'u');
    if (!user || (enabledOnly && user.scope !== '')) return undefined;
    const roles = new Map<string, Set<string>>();
    const held = new Map<string, Set<string>>();
    for (const { kind, scope, idOrStamp } of rows) {
      if (kind !== 'u') addTo(kind === 'r' ? roles : held, scope, idOrStamp);
    }
    const holdings: Holdings = { roles, permissions: held };
    if (rows.length <= MEMO_MAX_ROWS) this.memo.set(key, { stamp: user.idOrStamp, held: holdings });
    return holdings;
  }
}

/**
 * Held globally, or in the tenant when one is named. Looked up per scope: a `kind|scope|id` string
 * built for every lookup was most of the 2.4 KB a check allocated (about 1 KB now, of about 40 KB a
 * check request makes).
 */
export function holds(
  byScope: ReadonlyMap<string, ReadonlySet<string>>,
  id: string,
  tenantId: string | undefined,
): boolean {
  return byScope.get(GLOBAL)?.has(id) === true || (tenantId !== undefined && byScope.get(tenantId)?.has(id) === true);
}

/** Held in any scope: the user's own, or any tenant's. */
function heldAnywhere(byScope: ReadonlyMap<string, ReadonlySet<string>>, id: string): boolean {
  for (const ids of byScope.values()) if (ids.has(id)) return true;
  return false;
}
