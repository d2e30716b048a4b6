import { Injectable } from '@nestjs/common';
import type { Page } from '@tessera/dto';
import { paginate, type Listing } from '../infra/database/pagination.js';
import { TransactionRunner, type Transaction } from '../infra/database/transaction-runner.js';
import {
  GlobalPermissionGrantEntity,
  GlobalRoleGrantEntity,
  MembershipEntity,
  TenantPermissionGrantEntity,
  TenantRoleGrantEntity,
} from './directory.entity.js';
import type { GrantKind } from './grant.service.js';

const TENANT_GRANT = { role: TenantRoleGrantEntity, permission: TenantPermissionGrantEntity } as const;
const GLOBAL_GRANT = { role: GlobalRoleGrantEntity, permission: GlobalPermissionGrantEntity } as const;
const column = (kind: GrantKind) => (kind === 'role' ? 'roleId' : 'permissionId');

/** A tenant grant of either kind, by the id of what was granted. */
export interface TenantGrant {
  userId: string;
  tenantId: string;
  id: string;
}

/** The grants made in some memberships, ordered by what was granted. */
export interface MembershipGrants {
  roles: TenantRoleGrantEntity[];
  permissions: TenantPermissionGrantEntity[];
}

/**
 * Memberships and the grants of roles and permissions, per tenant and global, with the user's
 * super-admin flag (the global super_admin grant). Every write moves `grant_versions` through
 * triggers (migration CheckVersions), never from here.
 */
@Injectable()
export class GrantRepository {
  constructor(private readonly db: TransactionRunner) {}

  /** Idempotent. */
  async addMembership(tx: Transaction, tenantId: string, userId: string): Promise<void> {
    await tx
      .createQueryBuilder()
      .insert()
      .into(MembershipEntity)
      .values({ tenantId, userId, createdAt: Date.now() })
      .orIgnore()
      .execute();
  }

  /** Removes a membership; the grants made in it go by cascade. */
  async removeMembership(tx: Transaction, tenantId: string, userId: string): Promise<void> {
    await tx.getRepository(MembershipEntity).delete({ tenantId, userId });
  }

  countMembers(tx: Transaction, tenantId: string): Promise<number> {
    return tx.getRepository(MembershipEntity).countBy({ tenantId });
  }

  isMember(tenantId: string, userId: string): Promise<boolean> {
    return this.db.run((tx) => tx.getRepository(MembershipEntity).existsBy({ tenantId, userId }));
  }

  /** When a user became a member of a tenant; null when they are not one. */
  async membershipSince(tenantId: string, userId: string): Promise<number | null> {
    const found = await this.db.run((tx) => tx.getRepository(MembershipEntity).findOneBy({ tenantId, userId }));
    return found?.createdAt ?? null;
  }

  async tenantIdsOf(userId: string): Promise<string[]> {
    const rows = await this.db.run((tx) =>
      tx.getRepository(MembershipEntity).find({ select: { tenantId: true }, where: { userId } }),
    );
    return rows.map((m) => m.tenantId);
  }

  /** A page of a tenant's memberships. */
  membersOf(tenantId: string, query: Listing): Promise<Page<MembershipEntity>> {
    return this.db.run((tx) => {
      const qb = tx
        .getRepository(MembershipEntity)
        .createQueryBuilder('m')
        .where('m.tenantId = :tenantId', { tenantId });
      return paginate(qb, query, { key: 'userId' });
    });
  }

  /** A page of a user's memberships. */
  membershipsOf(userId: string, query: Listing): Promise<Page<MembershipEntity>> {
    return this.db.run((tx) =>
      paginate(
        tx.getRepository(MembershipEntity).createQueryBuilder('m').where('m.userId = :userId', { userId }),
        query,
        {
          key: 'tenantId',
        },
      ),
    );
  }

  /** The roles and permissions granted in these memberships. */
  grantsIn(memberships: { tenantId: string; userId: string }[]): Promise<MembershipGrants> {
    return this.db.run(async (tx) => {
      const [roles, permissions] = await Promise.all([
        tx.getRepository(TenantRoleGrantEntity).find({ where: memberships, order: { roleId: 'ASC' } }),
        tx.getRepository(TenantPermissionGrantEntity).find({ where: memberships, order: { permissionId: 'ASC' } }),
      ]);
      return { roles, permissions };
    });
  }

  /** What a member was granted in a tenant, sorted: for the event of their removal, in its transaction. */
  async grantedInMembership(
    tx: Transaction,
    tenantId: string,
    userId: string,
  ): Promise<{ roles: string[]; permissions: string[] }> {
    const where = { tenantId, userId };
    const roles = (await tx.getRepository(TenantRoleGrantEntity).findBy(where)).map((g) => g.roleId).sort();
    const permissions = (await tx.getRepository(TenantPermissionGrantEntity).findBy(where))
      .map((g) => g.permissionId)
      .sort();
    return { roles, permissions };
  }

  /** Idempotent; the user must be a member already. */
  async grantInTenant(tx: Transaction, kind: GrantKind, tenantId: string, userId: string, id: string): Promise<void> {
    await tx
      .createQueryBuilder()
      .insert()
      .into(TENANT_GRANT[kind])
      .values({ tenantId, userId, [column(kind)]: id })
      .orIgnore()
      .execute();
  }

  async revokeInTenant(tx: Transaction, kind: GrantKind, tenantId: string, userId: string, id: string): Promise<void> {
    await tx.getRepository(TENANT_GRANT[kind]).delete({ tenantId, userId, [column(kind)]: id });
  }

  /** Idempotent. Not for super_admin, which is the user's flag (`UserService.setSuperAdmin`). */
  async grantGlobal(tx: Transaction, kind: GrantKind, userId: string, id: string): Promise<void> {
    await tx
      .createQueryBuilder()
      .insert()
      .into(GLOBAL_GRANT[kind])
      .values({ userId, [column(kind)]: id })
      .orIgnore()
      .execute();
  }

  async revokeGlobal(tx: Transaction, kind: GrantKind, userId: string, id: string): Promise<void> {
    await tx.getRepository(GLOBAL_GRANT[kind]).delete({ userId, [column(kind)]: id });
  }

  /** The roles and permissions granted to a user everywhere (super_admin, a flag, not among them). */
  globalGrantsOf(userId: string): Promise<{ roles: string[]; permissions: string[] }> {
    return this.db.run(async (tx) => {
      const [roles, permissions] = await Promise.all([
        tx.getRepository(GlobalRoleGrantEntity).find({ where: { userId } }),
        tx.getRepository(GlobalPermissionGrantEntity).find({ where: { userId } }),
      ]);
      return { roles: roles.map((g) => g.roleId), permissions: permissions.map((g) => g.permissionId) };
    });
  }

  /** The roles and permissions granted to a user in one tenant and globally (super_admin, a flag, not among them). */
  heldIn(userId: string, tenantId: string): Promise<{ roles: string[]; permissions: string[] }> {
    return this.db.run(async (tx) => {
      const [tenantRoles, globalRoles, tenantPermissions, globalPermissions] = await Promise.all([
        tx.getRepository(TenantRoleGrantEntity).find({ where: { userId, tenantId } }),
        tx.getRepository(GlobalRoleGrantEntity).find({ where: { userId } }),
        tx.getRepository(TenantPermissionGrantEntity).find({ where: { userId, tenantId } }),
        tx.getRepository(GlobalPermissionGrantEntity).find({ where: { userId } }),
      ]);
      return {
        roles: [...tenantRoles, ...globalRoles].map((g) => g.roleId),
        permissions: [...tenantPermissions, ...globalPermissions].map((g) => g.permissionId),
      };
    });
  }

  /** Whether a user holds a role everywhere (granted globally). */
  holdsGlobally(userId: string, roleId: string): Promise<boolean> {
    return this.db.run((tx) => tx.getRepository(GlobalRoleGrantEntity).existsBy({ userId, roleId }));
  }

  /** Whether a user is a member of a tenant where they hold a role (granted in that tenant). */
  sharesTenantWith(userId: string, holderId: string, roleId: string): Promise<boolean> {
    return this.db.run((tx) =>
      tx
        .getRepository(MembershipEntity)
        .createQueryBuilder('m')
        .innerJoin(TenantRoleGrantEntity, 'g', 'g.tenantId = m.tenantId')
        .where('m.userId = :userId', { userId })
        .andWhere('g.userId = :holderId AND g.roleId = :roleId', { holderId, roleId })
        .getExists(),
    );
  }

  /** A tenant's members, oldest first, and the roles granted in it. */
  ofTenant(tenantId: string): Promise<{ members: string[]; roles: { userId: string; roleId: string }[] }> {
    return this.db.run(async (tx) => {
      const [members, roles] = await Promise.all([
        tx.getRepository(MembershipEntity).find({ where: { tenantId }, order: { createdAt: 'ASC' } }),
        tx.getRepository(TenantRoleGrantEntity).find({ where: { tenantId } }),
      ]);
      return { members: members.map((m) => m.userId), roles };
    });
  }

  /** The users a role or permission is granted to: everywhere, and per tenant. */
  grantedTo(
    kind: GrantKind,
    id: string,
  ): Promise<{ global: string[]; inTenants: { userId: string; tenantId: string }[] }> {
    const key = column(kind);
    return this.db.run(async (tx) => {
      const [global, inTenants] = await Promise.all([
        tx.getRepository<{ userId: string }>(GLOBAL_GRANT[kind]).find({ where: { [key]: id } }),
        tx.getRepository<{ userId: string; tenantId: string }>(TENANT_GRANT[kind]).find({ where: { [key]: id } }),
      ]);
      return { global: global.map((g) => g.userId), inTenants };
    });
  }

  /** Everything a user was given: memberships, and roles and permissions globally and per tenant. */
  givenTo(userId: string) {
    return this.db.run(async (tx) => {
      const [memberships, globalRoles, tenantRoles, globalPermissions, tenantPermissions] = await Promise.all([
        tx.getRepository(MembershipEntity).find({ where: { userId } }),
        tx.getRepository(GlobalRoleGrantEntity).find({ where: { userId } }),
        tx.getRepository(TenantRoleGrantEntity).find({ where: { userId } }),
        tx.getRepository(GlobalPermissionGrantEntity).find({ where: { userId } }),
        tx.getRepository(TenantPermissionGrantEntity).find({ where: { userId } }),
      ]);
      return { memberships, globalRoles, tenantRoles, globalPermissions, tenantPermissions };
    });
  }
}
