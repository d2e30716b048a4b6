import { Injectable } from '@nestjs/common';
import { TransactionRunner } from '../infra/database/transaction-runner.js';
import { WarrantFirstUseEntity, type FirstUseType } from './warrant-first-use.entity.js';

export interface FirstUseKey {
  type: FirstUseType;
  id: string;
  tenantId: string;
}

/** The records warrants created on first use (see WarrantFirstUseEntity). */
@Injectable()
export class WarrantFirstUseRepository {
  constructor(private readonly db: TransactionRunner) {}

  /** Remembers a record a warrant created; a newer creation of the same key replaces the older. */
  async remember(key: FirstUseKey, createdAt: number): Promise<void> {
    await this.db.run(async (tx) => {
      await tx.getRepository(WarrantFirstUseEntity).upsert({ ...key, createdAt }, ['type', 'id', 'tenantId']);
    });
  }

  /** Those of these keys that a warrant created (one indexed lookup per key, in one statement). */
  async find(keys: FirstUseKey[]): Promise<WarrantFirstUseEntity[]> {
    if (keys.length === 0) return [];
    return this.db.run((tx) => tx.getRepository(WarrantFirstUseEntity).find({ where: keys }));
  }

  async forget(key: FirstUseKey): Promise<void> {
    await this.db.run(async (tx) => {
      await tx.getRepository(WarrantFirstUseEntity).delete(key);
    });
  }
}
