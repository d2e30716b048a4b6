import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import type { Page } from '@tessera/dto';
import { paginate, type Listing } from '../infra/database/pagination.js';
import { TransactionRunner, type Transaction } from '../infra/database/transaction-runner.js';
import { FeatureEntity, PricingTierEntity } from '../entitlements/entitlement.entity.js';
import type { CatalogKind } from './catalog.service.js';
import { PermissionEntity, RoleEntity, RolePermissionEntity, type NamedRecord } from './directory.entity.js';

const ENTITY = {
  role: RoleEntity,
  permission: PermissionEntity,
  pricingTier: PricingTierEntity,
  feature: FeatureEntity,
} as const;

/**
 * The catalog's tables: roles, permissions, pricing tiers and features (one shape, one table each)
 * and `role_permissions`. Their changes move `catalog_version` through triggers, never from here.
 */
@Injectable()
export class CatalogRepository {
  constructor(private readonly db: TransactionRunner) {}

  private records(kind: CatalogKind, tx: Transaction) {
    return tx.getRepository<NamedRecord>(ENTITY[kind]);
  }

  /** A taken id throws the driver's unique violation (isUniqueViolation), for the service's 409. */
  async insert(tx: Transaction, kind: CatalogKind, record: NamedRecord): Promise<void> {
    await this.records(kind, tx).insert(record);
  }

  findById(kind: CatalogKind, id: string): Promise<NamedRecord | null> {
    return this.db.run((tx) => this.records(kind, tx).findOneBy({ id }));
  }

  /** These records, in no particular order (unknown ids skipped). */
  findByIds(kind: CatalogKind, ids: string[]): Promise<NamedRecord[]> {
    return this.db.run((tx) => this.records(kind, tx).findBy({ id: In(ids) }));
  }

  /** Which of these ids exist. */
  async existingIds(kind: CatalogKind, ids: string[]): Promise<Set<string>> {
    const rows = await this.db.run((tx) =>
      this.records(kind, tx).find({ select: { id: true }, where: { id: In(ids) } }),
    );
    return new Set(rows.map((r) => r.id));
  }

  /** A page of records, leaving out the `except` ids. */
  page(kind: CatalogKind, query: Listing, except: readonly string[] = []): Promise<Page<NamedRecord>> {
    return this.db.run((tx) => {
      const qb = this.records(kind, tx).createQueryBuilder('c');
      if (except.length > 0) qb.where('c.id NOT IN (:...except)', { except });
      return paginate(qb, query);
    });
  }

  async describe(
    tx: Transaction,
    kind: CatalogKind,
    id: string,
    change: Pick<NamedRecord, 'name' | 'description' | 'updatedAt'>,
  ): Promise<void> {
    await this.records(kind, tx).update({ id }, change);
  }

  /** Deletes a record (its grants and links go by cascade); false when there was none. */
  async remove(tx: Transaction, kind: CatalogKind, id: string): Promise<boolean> {
    const result = await this.records(kind, tx).delete({ id });
    return Boolean(result.affected);
  }

  /** Idempotent. */
  async addPermissionToRole(tx: Transaction, roleId: string, permissionId: string): Promise<void> {
    await tx
      .createQueryBuilder()
      .insert()
      .into(RolePermissionEntity)
      .values({ roleId, permissionId })
      .orIgnore()
      .execute();
  }

  async removePermissionFromRole(tx: Transaction, roleId: string, permissionId: string): Promise<void> {
    await tx.getRepository(RolePermissionEntity).delete({ roleId, permissionId });
  }

  /** Which of these permissions (all when not given) these roles hold, ordered by permission. */
  permissionsOfRoles(roleIds: string[], permissionIds?: string[]): Promise<RolePermissionEntity[]> {
    return this.db.run((tx) =>
      tx.getRepository(RolePermissionEntity).find({
        where: { roleId: In(roleIds), ...(permissionIds ? { permissionId: In(permissionIds) } : {}) },
        order: { permissionId: 'ASC' },
      }),
    );
  }

  /** The roles that hold a permission. */
  async rolesHolding(permissionId: string): Promise<string[]> {
    const links = await this.db.run((tx) => tx.getRepository(RolePermissionEntity).find({ where: { permissionId } }));
    return links.map((l) => l.roleId);
  }
}
