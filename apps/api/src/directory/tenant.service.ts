import { randomUUID } from 'node:crypto';
import { TransactionRunner } from '../infra/database/transaction-runner.js';
import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import type { Member, Membership, Page, Tenant } from '@tessera/dto';
import { AuditService } from '../audit/audit.service.js';
import { duplicate, notFound } from '../infra/http/api-error.js';
import { paginate, type Listing } from '../infra/database/pagination.js';
import type { Actor } from '../auth/principal.js';
import { iso } from '../infra/database/columns.js';
import { isUniqueViolation } from '../infra/database/data-source.js';
import {
  MembershipEntity,
  TenantEntity,
  TenantPermissionGrantEntity,
  TenantRoleGrantEntity,
} from './directory.entity.js';
import { UserEntity } from '../users/user.entity.js';
import { toUserDto } from '../users/user.service.js';

export function toTenantDto(t: TenantEntity): Tenant {
  return { tenantId: t.id, name: t.name, createdAt: iso(t.createdAt), updatedAt: iso(t.updatedAt) };
}

/** Tenants and who belongs to them: the only writer of `tenants` and `memberships`. */
@Injectable()
export class TenantService {
  constructor(
    private readonly db: TransactionRunner,
    private readonly audit: AuditService,
  ) {}

  private get tenants() {
    return this.db.manager.getRepository(TenantEntity);
  }

  private get memberships() {
    return this.db.manager.getRepository(MembershipEntity);
  }

  async create(input: { tenantId?: string; name: string }, actor: Actor): Promise<TenantEntity> {
    const now = Date.now();
    const tenant = { id: input.tenantId ?? randomUUID(), name: input.name, createdAt: now, updatedAt: now };
    try {
      await this.db.transaction(async (m) => {
        await m.getRepository(TenantEntity).insert(tenant);
        await this.audit.record(m, { type: 'tenant.created', actor, tenantId: tenant.id });
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw duplicate('tenantId', tenant.id);
      throw error;
    }
    return tenant;
  }

  async get(tenantId: string): Promise<TenantEntity> {
    const tenant = await this.tenants.findOneBy({ id: tenantId });
    if (!tenant) throw notFound('tenant', tenantId);
    return tenant;
  }

  list(query: Listing): Promise<Page<TenantEntity>> {
    return paginate(this.tenants.createQueryBuilder('t'), query);
  }

  async rename(tenantId: string, name: string, actor: Actor): Promise<TenantEntity> {
    const tenant = await this.get(tenantId);
    tenant.name = name;
    tenant.updatedAt = Date.now();
    await this.db.transaction(async (m) => {
      await m.getRepository(TenantEntity).update({ id: tenantId }, { name, updatedAt: tenant.updatedAt });
      await this.audit.record(m, { type: 'tenant.updated', actor, tenantId, details: { name } });
    });
    return tenant;
  }

  /** Deletes a tenant with its memberships and grants (foreign keys cascade); the event counts the members. */
  async remove(tenantId: string, actor: Actor): Promise<void> {
    await this.db.transaction(async (m) => {
      const members = await m.getRepository(MembershipEntity).countBy({ tenantId });
      const result = await m.getRepository(TenantEntity).delete({ id: tenantId });
      if (!result.affected) throw notFound('tenant', tenantId);
      await this.audit.record(m, { type: 'tenant.deleted', actor, tenantId, details: { members } });
    });
  }

  private async requireBoth(tenantId: string, userId: string): Promise<void> {
    await this.get(tenantId);
    if (!(await this.db.manager.getRepository(UserEntity).existsBy({ id: userId }))) throw notFound('user', userId);
  }

  /** Idempotent; audited also when the user already was a member. */
  async addMember(tenantId: string, userId: string, actor: Actor): Promise<void> {
    await this.requireBoth(tenantId, userId);
    await this.db.transaction(async (m) => {
      const membership = { tenantId, userId, createdAt: Date.now() };
      await m.createQueryBuilder().insert().into(MembershipEntity).values(membership).orIgnore().execute();
      await this.audit.record(m, { type: 'member.added', actor, userId, tenantId });
    });
  }

  /**
   * Removes a member and, through the foreign keys, every grant they had in this tenant; the event
   * lists those grants, since nothing else records that they were dropped. Idempotent.
   */
  async removeMember(tenantId: string, userId: string, actor: Actor): Promise<void> {
    await this.requireBoth(tenantId, userId);
    await this.db.transaction(async (m) => {
      const where = { tenantId, userId };
      const roles = (await m.getRepository(TenantRoleGrantEntity).findBy(where)).map((g) => g.roleId).sort();
      const permissions = (await m.getRepository(TenantPermissionGrantEntity).findBy(where))
        .map((g) => g.permissionId)
        .sort();
      await m.getRepository(MembershipEntity).delete({ tenantId, userId });
      await this.audit.record(m, {
        type: 'member.removed',
        actor,
        userId,
        tenantId,
        details: { roles, permissions },
      });
    });
  }

  /** Every tenant a user belongs to. */
  async tenantIdsOf(userId: string): Promise<string[]> {
    return (await this.memberships.find({ select: { tenantId: true }, where: { userId } })).map((m) => m.tenantId);
  }

  isMember(tenantId: string, userId: string): Promise<boolean> {
    return this.memberships.existsBy({ tenantId, userId });
  }

  /** A page of a tenant's members with their grants there: three batched queries per page, no N+1. */
  async members(tenantId: string, query: Listing): Promise<Page<Member>> {
    await this.get(tenantId);
    const page = await paginate(
      this.memberships.createQueryBuilder('m').where('m.tenantId = :tenantId', { tenantId }),
      query,
      {
        key: 'userId',
      },
    );
    const users = await this.db.manager.getRepository(UserEntity).findBy({ id: In(page.items.map((m) => m.userId)) });
    return this.withGrants(page, 'userId', users, (user) => ({ user: toUserDto(user) }));
  }

  /** A page of a user's tenants with their grants in each, batched like `members`. */
  async tenantsOf(userId: string, query: Listing): Promise<Page<Membership>> {
    if (!(await this.db.manager.getRepository(UserEntity).existsBy({ id: userId }))) throw notFound('user', userId);
    const page = await paginate(
      this.memberships.createQueryBuilder('m').where('m.userId = :userId', { userId }),
      query,
      {
        key: 'tenantId',
      },
    );
    const tenants = await this.tenants.findBy({ id: In(page.items.map((m) => m.tenantId)) });
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
    const [roles, permissions] = await Promise.all([
      this.db.manager.getRepository(TenantRoleGrantEntity).find({ where: pairs, order: { roleId: 'ASC' } }),
      this.db.manager.getRepository(TenantPermissionGrantEntity).find({ where: pairs, order: { permissionId: 'ASC' } }),
    ]);
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
