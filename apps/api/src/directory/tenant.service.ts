import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Member, Membership, Page, Tenant } from '@tessera/dto';
import { AuditService } from '../audit/audit.service.js';
import { TransactionRunner } from '../infra/database/transaction-runner.js';
import { duplicate, notFound } from '../infra/http/api-error.js';
import type { Listing } from '../infra/database/pagination.js';
import type { Actor } from '../auth/principal.js';
import { iso } from '../infra/database/columns.js';
import { isUniqueViolation } from '../infra/database/data-source.js';
import type { MembershipEntity, TenantEntity } from './directory.entity.js';
import { GrantRepository } from './grant.repository.js';
import { TenantRepository } from './tenant.repository.js';
import { UserService, toUserDto } from '../users/user.service.js';

export function toTenantDto(t: TenantEntity): Tenant {
  return { tenantId: t.id, name: t.name, createdAt: iso(t.createdAt), updatedAt: iso(t.updatedAt) };
}

/** Tenants and who belongs to them: the only writer of `tenants` and `memberships`. */
@Injectable()
export class TenantService {
  constructor(
    private readonly db: TransactionRunner,
    private readonly tenants: TenantRepository,
    private readonly grants: GrantRepository,
    private readonly users: UserService,
    private readonly audit: AuditService,
  ) {}

  async create(input: { tenantId?: string; name: string | null }, actor: Actor): Promise<TenantEntity> {
    const now = Date.now();
    const tenant = { id: input.tenantId ?? randomUUID(), name: input.name, createdAt: now, updatedAt: now };
    try {
      await this.db.transaction(async (tx) => {
        await this.tenants.insert(tx, tenant);
        await this.audit.record(tx, { type: 'tenant.created', actor, tenantId: tenant.id });
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw duplicate('tenantId', tenant.id);
      throw error;
    }
    return tenant;
  }

  async get(tenantId: string): Promise<TenantEntity> {
    const tenant = await this.tenants.findById(tenantId);
    if (!tenant) throw notFound('tenant', tenantId);
    return tenant;
  }

  exists(tenantId: string): Promise<boolean> {
    return this.tenants.exists(tenantId);
  }

  list(query: Listing): Promise<Page<TenantEntity>> {
    return this.tenants.page(query);
  }

  async rename(tenantId: string, name: string | null, actor: Actor): Promise<TenantEntity> {
    const tenant = await this.get(tenantId);
    tenant.name = name;
    tenant.updatedAt = Date.now();
    await this.db.transaction(async (tx) => {
      await this.tenants.rename(tx, tenantId, name, tenant.updatedAt);
      await this.audit.record(tx, { type: 'tenant.updated', actor, tenantId, details: { name } });
    });
    return tenant;
  }

  /** Deletes a tenant with its memberships and grants (foreign keys cascade); the event counts the members. */
  async remove(tenantId: string, actor: Actor): Promise<void> {
    await this.db.transaction(async (tx) => {
      const members = await this.grants.countMembers(tx, tenantId);
      if (!(await this.tenants.remove(tx, tenantId))) throw notFound('tenant', tenantId);
      await this.audit.record(tx, { type: 'tenant.deleted', actor, tenantId, details: { members } });
    });
  }

  private async requireBoth(tenantId: string, userId: string): Promise<void> {
    await this.get(tenantId);
    await this.users.getById(userId);
  }

  /** Idempotent; audited also when the user already was a member. */
  async addMember(tenantId: string, userId: string, actor: Actor): Promise<void> {
    await this.requireBoth(tenantId, userId);
    await this.db.transaction(async (tx) => {
      await this.grants.addMembership(tx, tenantId, userId);
      await this.audit.record(tx, { type: 'member.added', actor, userId, tenantId });
    });
  }

  /**
   * Removes a member and, through the foreign keys, every grant they had in this tenant; the event
   * lists those grants, since nothing else records that they were dropped. Idempotent.
   */
  async removeMember(tenantId: string, userId: string, actor: Actor): Promise<void> {
    await this.requireBoth(tenantId, userId);
    await this.db.transaction(async (tx) => {
      const { roles, permissions } = await this.grants.grantedInMembership(tx, tenantId, userId);
      await this.grants.removeMembership(tx, tenantId, userId);
      await this.audit.record(tx, {
        type: 'member.removed',
        actor,
        userId,
        tenantId,
        details: { roles, permissions },
      });
    });
  }

  /** Every tenant a user belongs to. */
  tenantIdsOf(userId: string): Promise<string[]> {
    return this.grants.tenantIdsOf(userId);
  }

  isMember(tenantId: string, userId: string): Promise<boolean> {
    return this.grants.isMember(tenantId, userId);
  }

  /** When a user became a member of a tenant; null when they are not one. */
  membershipSince(tenantId: string, userId: string): Promise<number | null> {
    return this.grants.membershipSince(tenantId, userId);
  }

  /** A page of a tenant's members with their grants there: three batched queries per page, no N+1. */
  async members(tenantId: string, query: Listing): Promise<Page<Member>> {
    await this.get(tenantId);
    const page = await this.grants.membersOf(tenantId, query);
    const users = await this.users.findByIds(page.items.map((m) => m.userId));
    return this.withGrants(page, 'userId', users, (user) => ({ user: toUserDto(user) }));
  }

  /** A page of a user's tenants with their grants in each, batched like `members`. */
  async tenantsOf(userId: string, query: Listing): Promise<Page<Membership>> {
    await this.users.getById(userId);
    const page = await this.grants.membershipsOf(userId, query);
    const tenants = await this.tenants.findByIds(page.items.map((m) => m.tenantId));
    return this.withGrants(page, 'tenantId', tenants, (tenant) => ({ tenant: toTenantDto(tenant) }));
  }

  /**
   * Joins a page of memberships to the other side (users of a tenant, or tenants of a user) and to
   * the roles and permissions granted in each membership: two more queries for the whole page.
   */
  private async withGrants<Other extends { id: string }, Item extends object>(
    page: Page<MembershipEntity>,
    side: 'userId' | 'tenantId',
    others: Other[],
    show: (other: Other) => Item,
  ): Promise<Page<Item & { roles: string[]; permissions: string[] }>> {
    if (page.items.length === 0) return { items: [], next: page.next };
    const pairs = page.items.map((m) => ({ tenantId: m.tenantId, userId: m.userId }));
    const { roles, permissions } = await this.grants.grantsIn(pairs);
    const byId = new Map(others.map((o) => [o.id, o]));
    const of = (m: MembershipEntity) => (g: { tenantId: string; userId: string }) =>
      g.tenantId === m.tenantId && g.userId === m.userId;
    return {
      items: page.items.flatMap((m) => {
        const other = byId.get(m[side]);
        if (!other) return [];
        return [
          {
            ...show(other),
            roles: roles.filter(of(m)).map((r) => r.roleId),
            permissions: permissions.filter(of(m)).map((p) => p.permissionId),
          },
        ];
      }),
      next: page.next,
    };
  }
}
