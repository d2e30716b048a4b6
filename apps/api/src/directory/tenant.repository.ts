import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import type { Page } from '@tessera/dto';
import { paginate, type Listing } from '../infra/database/pagination.js';
import { TransactionRunner, type Transaction } from '../infra/database/transaction-runner.js';
import { TenantEntity, TenantRoleGrantEntity } from './directory.entity.js';

/** The `tenants` table. */
@Injectable()
export class TenantRepository {
  constructor(private readonly db: TransactionRunner) {}

  /** A taken id throws the driver's unique violation (isUniqueViolation), for the service's 409. */
  async insert(tx: Transaction, tenant: TenantEntity): Promise<void> {
    await tx.getRepository(TenantEntity).insert(tenant);
  }

  findById(id: string): Promise<TenantEntity | null> {
    return this.db.run((tx) => tx.getRepository(TenantEntity).findOneBy({ id }));
  }

  exists(id: string): Promise<boolean> {
    return this.db.run((tx) => tx.getRepository(TenantEntity).existsBy({ id }));
  }

  /** These tenants, in no particular order (unknown ids skipped). */
  findByIds(ids: string[]): Promise<TenantEntity[]> {
    return this.db.run((tx) => tx.getRepository(TenantEntity).findBy({ id: In(ids) }));
  }

  page(query: Listing): Promise<Page<TenantEntity>> {
    return this.db.run((tx) => paginate(tx.getRepository(TenantEntity).createQueryBuilder('t'), query));
  }

  /** A page of the tenants where a user holds a role granted there (the tenants a tenant admin administers). */
  pageWhereHeld(userId: string, roleId: string, query: Listing): Promise<Page<TenantEntity>> {
    return this.db.run((tx) => {
      const qb = tx
        .getRepository(TenantEntity)
        .createQueryBuilder('t')
        .innerJoin(TenantRoleGrantEntity, 'g', 'g.tenantId = t.id AND g.userId = :userId AND g.roleId = :roleId', {
          userId,
          roleId,
        });
      return paginate(qb, query);
    });
  }

  async rename(tx: Transaction, id: string, name: string | null, updatedAt: number): Promise<void> {
    await tx.getRepository(TenantEntity).update({ id }, { name, updatedAt });
  }

  /** Deletes a tenant (its memberships and grants go by cascade); false when there was none. */
  async remove(tx: Transaction, id: string): Promise<boolean> {
    const result = await tx.getRepository(TenantEntity).delete({ id });
    return Boolean(result.affected);
  }
}
