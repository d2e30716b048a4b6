import { Injectable } from '@nestjs/common';
import type { GlobalGrants } from '@tessera/dto';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../auth/principal.js';
import { TransactionRunner, type Transaction } from '../infra/database/transaction-runner.js';
import { ApiError, notFound } from '../infra/http/api-error.js';
import { UserService } from '../users/user.service.js';
import { CatalogService } from './catalog.service.js';
import { GrantRepository } from './grant.repository.js';
import { TenantRepository } from './tenant.repository.js';

/** The role a user holds as their super-admin flag: granted only globally. */
export const SUPER_ADMIN = 'super_admin';

/** What can be granted to a user: a role or a permission. */
export type GrantKind = 'role' | 'permission';

const column = (kind: GrantKind) => (kind === 'role' ? 'roleId' : 'permissionId');

/**
 * Grants of roles and permissions, per tenant or global, and the listings of who was given what.
 * Whether a user holds something is CheckService's answer, not this one's.
 */
@Injectable()
export class GrantService {
  constructor(
    private readonly db: TransactionRunner,
    private readonly grants: GrantRepository,
    private readonly tenants: TenantRepository,
    private readonly users: UserService,
    private readonly catalog: CatalogService,
    private readonly audit: AuditService,
  ) {}

  private record(
    tx: Transaction,
    actor: Actor,
    added: boolean,
    kind: GrantKind,
    userId: string,
    id: string,
    tenantId?: string,
  ) {
    return this.audit.record(tx, {
      type: added ? 'grant.added' : 'grant.removed',
      actor,
      userId,
      tenantId: tenantId ?? null,
      details: { [column(kind)]: id, scope: tenantId === undefined ? 'global' : 'tenant' },
    });
  }

  private async requireTenant(tenantId: string): Promise<void> {
    if (!(await this.tenants.exists(tenantId))) throw notFound('tenant', tenantId);
  }

  /** Grants a role or permission in a tenant, making the user a member first when needed. Idempotent. */
  async grantInTenant(kind: GrantKind, tenantId: string, userId: string, id: string, actor: Actor): Promise<void> {
    await this.requireTenant(tenantId);
    await this.users.getById(userId);
    await this.catalog.requireExisting(kind, [id]);
    if (kind === 'role' && id === SUPER_ADMIN) {
      throw new ApiError('invalid_request', 'super_admin is a global role', {
        fields: { roleId: 'super_admin cannot be granted in a tenant' },
      });
    }
    await this.db.transaction(async (tx) => {
      await this.grants.addMembership(tx, tenantId, userId);
      await this.grants.grantInTenant(tx, kind, tenantId, userId, id);
      await this.record(tx, actor, true, kind, userId, id, tenantId);
    });
  }

  async revokeInTenant(kind: GrantKind, tenantId: string, userId: string, id: string, actor: Actor): Promise<void> {
    await this.requireTenant(tenantId);
    await this.users.getById(userId);
    await this.catalog.requireExisting(kind, [id]);
    await this.db.transaction(async (tx) => {
      await this.grants.revokeInTenant(tx, kind, tenantId, userId, id);
      await this.record(tx, actor, false, kind, userId, id, tenantId);
    });
  }

  /** Grants a role or permission everywhere. `super_admin` is the user's super-admin flag. Idempotent. */
  async grantGlobal(kind: GrantKind, userId: string, id: string, actor: Actor): Promise<void> {
    await this.setGlobal(kind, userId, id, true, actor);
  }

  async revokeGlobal(kind: GrantKind, userId: string, id: string, actor: Actor): Promise<void> {
    await this.setGlobal(kind, userId, id, false, actor);
  }

  /** `super_admin` is kept as the user's flag (read on every admin request without a join). */
  private async setGlobal(kind: GrantKind, userId: string, id: string, held: boolean, actor: Actor): Promise<void> {
    await this.users.getById(userId);
    await this.catalog.requireExisting(kind, [id]);
    await this.db.transaction(async (tx) => {
      if (kind === 'role' && id === SUPER_ADMIN) await this.users.setSuperAdmin(userId, held, tx);
      else if (held) await this.grants.grantGlobal(tx, kind, userId, id);
      else await this.grants.revokeGlobal(tx, kind, userId, id);
      await this.record(tx, actor, held, kind, userId, id);
    });
  }

  /** The roles (super_admin included, from the user's flag) and permissions granted to a user everywhere. */
  async globalGrants(userId: string): Promise<GlobalGrants> {
    const user = await this.users.getById(userId);
    const granted = await this.grants.globalGrantsOf(userId);
    const roles = new Set(granted.roles);
    if (user.superAdmin) roles.add(SUPER_ADMIN);
    return { roles: [...roles].sort(), permissions: [...new Set(granted.permissions)].sort() };
  }

  /** A tenant's members and the roles granted in it (for Warrant's query). */
  ofTenant(tenantId: string): Promise<{ members: string[]; roles: { userId: string; roleId: string }[] }> {
    return this.grants.ofTenant(tenantId);
  }

  /** Who holds a role or permission: users globally, users in tenants, and (permissions) roles. */
  async holdersOf(kind: GrantKind, id: string) {
    const [{ global, inTenants }, roles] = await Promise.all([
      this.grants.grantedTo(kind, id),
      kind === 'permission' ? this.catalog.rolesHolding(id) : [],
    ]);
    return { global, inTenants, roles };
  }

  /** What a user was given: memberships, and roles and permissions globally and per tenant. */
  async heldBy(userId: string) {
    const given = await this.grants.givenTo(userId);
    return {
      tenants: given.memberships.map((m) => m.tenantId),
      role: {
        global: given.globalRoles.map((g) => g.roleId),
        inTenants: given.tenantRoles.map((g) => ({ id: g.roleId, tenantId: g.tenantId })),
      },
      permission: {
        global: given.globalPermissions.map((g) => g.permissionId),
        inTenants: given.tenantPermissions.map((g) => ({ id: g.permissionId, tenantId: g.tenantId })),
      },
    };
  }
}
