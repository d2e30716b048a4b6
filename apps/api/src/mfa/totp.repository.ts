import { Injectable } from '@nestjs/common';
import { IsNull } from 'typeorm';
import { TransactionRunner, type Transaction } from '../infra/database/transaction-runner.js';
import { MfaTotpEntity } from './mfa-totp.entity.js';

/** The mfa_totp table: one TOTP secret per user, pending or confirmed. */
@Injectable()
export class TotpRepository {
  constructor(private readonly db: TransactionRunner) {}

  /** `work` in the caller's transaction, or on its own when there is none. */
  private within<T>(tx: Transaction | undefined, work: (tx: Transaction) => Promise<T>): Promise<T> {
    return tx === undefined ? this.db.run(work) : work(tx);
  }

  findOf(userId: string, tx?: Transaction): Promise<MfaTotpEntity | null> {
    return this.within(tx, (t) => t.getRepository(MfaTotpEntity).findOneBy({ userId }));
  }

  /** A new pending secret in place of the user's pending one, if any (never of a confirmed one). */
  async replacePending(tx: Transaction, row: MfaTotpEntity): Promise<void> {
    const rows = tx.getRepository(MfaTotpEntity);
    await rows.delete({ userId: row.userId, confirmedAt: IsNull() });
    await rows.insert(row);
  }

  /**
   * Confirms the pending secret the first code was checked against, recording that code's step;
   * false when it is no longer pending (confirmed meanwhile, or replaced by a new enrolment).
   */
  async confirm(tx: Transaction, userId: string, secretEnc: string, step: number, at: number): Promise<boolean> {
    const result = await tx
      .getRepository(MfaTotpEntity)
      .update({ userId, secretEnc, confirmedAt: IsNull() }, { confirmedAt: at, lastUsedStep: step });
    return result.affected === 1;
  }

  /**
   * Records `step` as the last used one if it is later than the last; false when it is not (the code
   * was used already, or a newer one was): of two requests with the same code, one wins.
   */
  async useStep(tx: Transaction, userId: string, step: number): Promise<boolean> {
    const result = await tx
      .getRepository(MfaTotpEntity)
      .createQueryBuilder()
      .update()
      .set({ lastUsedStep: step })
      .where('user_id = :userId AND confirmed_at IS NOT NULL', { userId })
      .andWhere('(last_used_step IS NULL OR last_used_step < :step)', { step })
      .execute();
    return result.affected === 1;
  }

  /** Removes the user's secret, pending or confirmed; whether there was one. */
  async remove(tx: Transaction, userId: string): Promise<boolean> {
    const result = await tx.getRepository(MfaTotpEntity).delete({ userId });
    return (result.affected ?? 0) > 0;
  }
}
