import { Injectable } from '@nestjs/common';
import { IsNull, LessThan } from 'typeorm';
import type { Transaction } from '../infra/database/transaction-runner.js';
import { SelfServiceCodeEntity } from './self-service-code.entity.js';

/**
 * The one-time codes of dashboard links. Every method writes or reads inside the caller's
 * transaction: a code is created with its session and claimed with the session it mints.
 */
@Injectable()
export class SelfServiceCodeRepository {
  async create(tx: Transaction, code: SelfServiceCodeEntity): Promise<void> {
    await tx.getRepository(SelfServiceCodeEntity).insert(code);
  }

  /** Forgets the codes that expired before `cutoff`. */
  async removeExpiredBefore(tx: Transaction, cutoff: number): Promise<void> {
    await tx.getRepository(SelfServiceCodeEntity).delete({ expiresAt: LessThan(cutoff) });
  }

  findByHash(tx: Transaction, codeHash: string): Promise<SelfServiceCodeEntity | null> {
    return tx.getRepository(SelfServiceCodeEntity).findOneBy({ codeHash });
  }

  /** Marks the code used unless it already was: true for the one caller that claimed it. */
  async claim(tx: Transaction, codeHash: string, usedAt: number): Promise<boolean> {
    const claimed = await tx.getRepository(SelfServiceCodeEntity).update({ codeHash, usedAt: IsNull() }, { usedAt });
    return !!claimed.affected;
  }
}
