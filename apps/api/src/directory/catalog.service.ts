import { Injectable } from '@nestjs/common';
import { TransactionRunner, type Transaction } from '../infra/database/transaction-runner.js';
import { BUILT_IN_PERMISSIONS, BUILT_IN_ROLES, type Page, type Permission, type Role } from '@tessera/dto';
import { AuditService } from '../audit/audit.service.js';
import { ApiError, duplicate, notFound } from '../infra/http/api-error.js';
import { addTo } from '../common/map-of-sets.js';
import type { Listing } from '../infra/database/pagination.js';
import type { Actor } from '../auth/principal.js';
import { iso } from '../infra/database/columns.js';
import { isUniqueViolation } from '../infra/database/data-source.js';
import { CatalogRepository } from './catalog.repository.js';
import type { PermissionEntity, RoleEntity, NamedRecord } from './directory.entity.js';

/** Roles, permissions, pricing tiers and features are the same kind of record: an id, a name and a description. */
export type CatalogKind = 'role' | 'permission' | 'pricingTier' | 'feature';
type CatalogEntity = NamedRecord;
type CatalogChange = 'created' | 'updated' | 'deleted';
type NewRecord = { id: string; name?: string | null; description?: string | null };

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
    private readonly catalog: CatalogRepository,
    private readonly audit: AuditService,
  ) {}

  /** Audits a change to a catalog record, inside its transaction. */
  private record(tx: Transaction, actor: Actor, change: CatalogChange, kind: CatalogKind, id: string) {
    return this.audit.record(tx, { type: `catalog.${change}`, actor, details: { kind, id } });
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
      await this.db.transaction(async (tx) => {
        await this.catalog.insert(tx, kind, row);
        await this.record(tx, actor, 'created', kind, row.id);
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw duplicate(`${kind}Id`, input.id);
      throw error;
    }
    return row;
  }

  async get(kind: CatalogKind, id: string): Promise<CatalogEntity> {
    const row = await this.catalog.findById(kind, id);
    if (!row) throw notFound(kind, id);
    return row;
  }

  /** A page of records, leaving out the `except` ids (the Warrant-compatible lists leave out the built-ins). */
  list(kind: CatalogKind, query: Listing, except: readonly string[] = []): Promise<Page<CatalogEntity>> {
    return this.catalog.page(kind, query, except);
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
    await this.db.transaction(async (tx) => {
      const { name, description, updatedAt } = row;
      await this.catalog.describe(tx, kind, id, { name, description, updatedAt });
      await this.record(tx, actor, 'updated', kind, id);
    });
    return row;
  }

  /** Deletes a role or permission; its grants go with it (foreign keys cascade). */
  async remove(kind: CatalogKind, id: string, actor: Actor): Promise<void> {
    if (BUILT_IN[kind].includes(id)) throw new ApiError('forbidden', `The built-in ${kind} ${id} cannot be deleted`);
    await this.db.transaction(async (tx) => {
      if (!(await this.catalog.remove(tx, kind, id))) throw notFound(kind, id);
      await this.record(tx, actor, 'deleted', kind, id);
    });
  }

  /** These roles or permissions, in the order asked (unknown ids skipped). */
  async getMany(kind: CatalogKind, ids: string[]): Promise<CatalogEntity[]> {
    if (ids.length === 0) return [];
    const rows = await this.catalog.findByIds(kind, ids);
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  /** Throws 404 naming the first of these that does not exist. */
  async requireExisting(kind: CatalogKind, ids: string[]): Promise<void> {
    const found = await this.catalog.existingIds(kind, ids);
    const missing = ids.find((id) => !found.has(id));
    if (missing !== undefined) throw notFound(kind, missing);
  }

  /** Idempotent; audited also when the role already held the permission. */
  async addPermissionToRole(roleId: string, permissionId: string, actor: Actor): Promise<void> {
    await this.get('role', roleId);
    await this.get('permission', permissionId);
    await this.db.transaction(async (tx) => {
      await this.catalog.addPermissionToRole(tx, roleId, permissionId);
      await this.audit.record(tx, { type: 'role.permission_added', actor, details: { roleId, permissionId } });
    });
  }

  async removePermissionFromRole(roleId: string, permissionId: string, actor: Actor): Promise<void> {
    await this.get('role', roleId);
    await this.get('permission', permissionId);
    await this.db.transaction(async (tx) => {
      await this.catalog.removePermissionFromRole(tx, roleId, permissionId);
      await this.audit.record(tx, { type: 'role.permission_removed', actor, details: { roleId, permissionId } });
    });
  }

  /** Roles as the API shows them, with their permissions in one query for the whole batch. */
  async toRoleDtos(roles: RoleEntity[]): Promise<Role[]> {
    const links = roles.length === 0 ? [] : await this.catalog.permissionsOfRoles(roles.map((r) => r.id));
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
    for (const l of await this.catalog.permissionsOfRoles(roleIds, permissionIds)) addTo(map, l.roleId, l.permissionId);
    return map;
  }

  /** The roles that hold a permission. */
  rolesHolding(permissionId: string): Promise<string[]> {
    return this.catalog.rolesHolding(permissionId);
  }
}
