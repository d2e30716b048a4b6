import { Injectable } from '@nestjs/common';
import { IsNull } from 'typeorm';
import { TransactionRunner, type Transaction } from '../infra/database/transaction-runner.js';
import { RecoveryCodeEntity } from './recovery-code.entity.js';

/** The recovery_codes table: the hashes of a user's one-time recovery codes. */
@Injectable()
export class RecoveryCodeRepository {
  constructor(private readonly db: TransactionRunner) {}

  /** The user's codes become these: every earlier one, used or not, stops working. */
  async replaceAll(tx: Transaction, userId: string, hashes: readonly string[], at: number): Promise<void> {
    const rows = tx.getRepository(RecoveryCodeEntity);
    await rows.delete({ userId });
    await rows.insert(hashes.map((codeHash) => ({ codeHash, userId, createdAt: at, usedAt: null })));
  }

  /** Uses the user's code of this hash; false when there is no such unused code. */
  async use(tx: Transaction, userId: string, codeHash: string, at: number): Promise<boolean> {
    const result = await tx
      .getRepository(RecoveryCodeEntity)
      .update({ codeHash, userId, usedAt: IsNull() }, { usedAt: at });
    return result.affected === 1;
  }

  /** How many of the user's codes are still unused. */
  countLeft(userId: string, tx?: Transaction): Promise<number> {
    const count = (t: Transaction) => t.getRepository(RecoveryCodeEntity).countBy({ userId, usedAt: IsNull() });
    return tx === undefined ? this.db.run(count) : count(tx);
  }

  async removeAll(tx: Transaction, userId: string): Promise<void> {
    await tx.getRepository(RecoveryCodeEntity).delete({ userId });
  }
}
