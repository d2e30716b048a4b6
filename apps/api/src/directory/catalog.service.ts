import { Injectable } from '@nestjs/common';
import { TransactionRunner } from '../infra/database/transaction-runner.js';
import { In, type EntityManager } from 'typeorm';
import { BUILT_IN_PERMISSIONS, BUILT_IN_ROLES, type Page, type Permission, type Role } from '@tessera/dto';
import { AuditService } from '../audit/audit.service.js';
import { ApiError, duplicate, notFound } from '../infra/http/api-error.js';
import { addTo } from '../common/map-of-sets.js';
import { paginate, type Listing } from '../infra/database/pagination.js';
import type { Actor } from '../auth/principal.js';
import { iso } from '../infra/database/columns.js';
import { isUniqueViolation } from '../infra/database/data-source.js';
import { PermissionEntity, RoleEntity, RolePermissionEntity, type NamedRecord } from './directory.entity.js';
import { FeatureEntity, PricingTierEntity } from '../entitlements/entitlement.entity.js';

/** Roles, permissions, pricing tiers and features are the same kind of record: an id, a name and a description. */
export type CatalogKind = 'role' | 'permission' | 'pricingTier' | 'feature';
type CatalogEntity = NamedRecord;
type CatalogChange = 'created' | 'updated' | 'deleted';
type NewRecord = { id: string; name?: string; description?: string };

const ENTITY = {
  role: RoleEntity,
  permission: PermissionEntity,
  pricingTier: PricingTierEntity,
  feature: FeatureEntity,
} as const;
const BUILT_IN: Record<CatalogKind, readonly string[]> = {
  role: BUILT_IN_ROLES,
  permission: BUILT_IN_PERMISSIONS,
  pricingTier: [],
  feature: [],
};

export function toPermissionDto(p: PermissionEntity): Permission {
  return {
    permissionId: p.id,
    name: p.name,
    description: p.description,
    createdAt: iso(p.createdAt),
    updatedAt: iso(p.updatedAt),
  };
}

/** Roles, permissions and which permissions each role holds: the only writer of those tables. */
@Injectable()
export class CatalogService {
  constructor(
    private readonly db: TransactionRunner,
    private readonly audit: AuditService,
  ) {}

  private repo(kind: CatalogKind, manager: EntityManager = this.db.manager) {
    return manager.getRepository<CatalogEntity>(ENTITY[kind]);
  }

  /** Audits a change to a catalog record, inside its transaction. */
  private record(m: EntityManager, actor: Actor, change: CatalogChange, kind: CatalogKind, id: string) {
    return this.audit.record(m, { type: `catalog.${change}`, actor, details: { kind, id } });
  }

  async create(kind: CatalogKind, input: NewRecord, actor: Actor): Promise<CatalogEntity> {
    const now = Date.now();
    const row = {
      id: input.id,
      name: input.name ?? null,
      description: input.description ?? null,
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.db.transaction(async (m) => {
        await this.repo(kind, m).insert(row);
        await this.record(m, actor, 'created', kind, row.id);
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw duplicate(`${kind}Id`, input.id);
      throw error;
    }
    return row;
  }

  async get(kind: CatalogKind, id: string): Promise<CatalogEntity> {
    const row = await this.repo(kind).findOneBy({ id });
    if (!row) throw notFound(kind, id);
    return row;
  }

  list(kind: CatalogKind, query: Listing): Promise<Page<CatalogEntity>> {
    return paginate(this.repo(kind).createQueryBuilder('c'), query);
  }

  async update(
    kind: CatalogKind,
    id: string,
    patch: { name?: string | null; description?: string | null },
    actor: Actor,
  ): Promise<CatalogEntity> {
    const row = await this.get(kind, id);
    if (patch.name !== undefined) row.name = patch.name;
    if (patch.description !== undefined) row.description = patch.description;
    row.updatedAt = Date.now();
    await this.db.transaction(async (m) => {
      const { name, description, updatedAt } = row;
      await this.repo(kind, m).update({ id }, { name, description, updatedAt });
      await this.record(m, actor, 'updated', kind, id);
    });
    return row;
  }

  /** Deletes a role or permission; its grants go with it (foreign keys cascade). */
  async remove(kind: CatalogKind, id: string, actor: Actor): Promise<void> {
    if (BUILT_IN[kind].includes(id)) throw new ApiError('forbidden', `The built-in ${kind} ${id} cannot be deleted`);
    await this.db.transaction(async (m) => {
      const result = await this.repo(kind, m).delete({ id });
      if (!result.affected) throw notFound(kind, id);
      await this.record(m, actor, 'deleted', kind, id);
    });
  }

  /** These roles or permissions, in the order asked (unknown ids skipped). */
  async getMany(kind: CatalogKind, ids: string[]): Promise<CatalogEntity[]> {
    if (ids.length === 0) return [];
    const rows = await this.repo(kind).findBy({ id: In(ids) });
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  /** Throws 404 naming the first of these that does not exist. */
  async requireExisting(kind: CatalogKind, ids: string[]): Promise<void> {
    const found = new Set(
      (await this.repo(kind).find({ select: { id: true }, where: { id: In(ids) } })).map((r) => r.id),
    );
    const missing = ids.find((id) => !found.has(id));
    if (missing !== undefined) throw notFound(kind, missing);
  }

  /** Idempotent; audited also when the role already held the permission. */
  async addPermissionToRole(roleId: string, permissionId: string, actor: Actor): Promise<void> {
    await this.get('role', roleId);
    await this.get('permission', permissionId);
    await this.db.transaction(async (m) => {
      const link = { roleId, permissionId };
      await m.createQueryBuilder().insert().into(RolePermissionEntity).values(link).orIgnore().execute();
      await this.audit.record(m, { type: 'role.permission_added', actor, details: { roleId, permissionId } });
    });
  }

  async removePermissionFromRole(roleId: string, permissionId: string, actor: Actor): Promise<void> {
    await this.get('role', roleId);
    await this.get('permission', permissionId);
    await this.db.transaction(async (m) => {
      await m.getRepository(RolePermissionEntity).delete({ roleId, permissionId });
      await this.audit.record(m, { type: 'role.permission_removed', actor, details: { roleId, permissionId } });
    });
  }

  /** Roles as the API shows them, with their permissions in one query for the whole batch. */
  async toRoleDtos(roles: RoleEntity[]): Promise<Role[]> {
    const links =
      roles.length === 0
        ? []
        : await this.db.manager.getRepository(RolePermissionEntity).find({
            where: { roleId: In(roles.map((r) => r.id)) },
            order: { permissionId: 'ASC' },
          });
    return roles.map((r) => ({
      roleId: r.id,
      name: r.name,
      description: r.description,
      permissions: links.filter((l) => l.roleId === r.id).map((l) => l.permissionId),
      createdAt: iso(r.createdAt),
      updatedAt: iso(r.updatedAt),
    }));
  }

  /** Of these permissions, the ones these roles hold, as role → permissions. */
  async permissionsOfRoles(roleIds: string[], permissionIds?: string[]): Promise<Map<string, Set<string>>> {
    const map = new Map<string, Set<string>>();
    if (roleIds.length === 0 || permissionIds?.length === 0) return map;
    const links = await this.db.manager.getRepository(RolePermissionEntity).find({
      where: { roleId: In(roleIds), ...(permissionIds ? { permissionId: In(permissionIds) } : {}) },
    });
    for (const l of links) addTo(map, l.roleId, l.permissionId);
    return map;
  }
}
