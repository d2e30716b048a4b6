import { Injectable } from '@nestjs/common';
import { IsNull, LessThan } from 'typeorm';
import { TransactionRunner, type Transaction } from '../infra/database/transaction-runner.js';
import { MfaChallengeEntity } from './mfa-challenge.entity.js';

/** The mfa_challenges table: sign-ins waiting for their second factor, found by the challenge's hash. */
@Injectable()
export class MfaChallengeRepository {
  constructor(private readonly db: TransactionRunner) {}

  /** Stores a new challenge, and forgets the user's challenges that ended before `now`. */
  insert(challenge: MfaChallengeEntity, now: number): Promise<void> {
    return this.db.transaction(async (tx) => {
      const rows = tx.getRepository(MfaChallengeEntity);
      await rows.delete({ userId: challenge.userId, expiresAt: LessThan(now) });
      await rows.insert(challenge);
    });
  }

  findByHash(challengeHash: string): Promise<MfaChallengeEntity | null> {
    return this.db.run((tx) => tx.getRepository(MfaChallengeEntity).findOneBy({ challengeHash }));
  }

  /** Counts one attempt at an unused challenge; false when it is used or has had `max` already. */
  async countAttempt(challengeHash: string, max: number): Promise<boolean> {
    const result = await this.db.run((tx) =>
      tx
        .getRepository(MfaChallengeEntity)
        .createQueryBuilder()
        .update()
        .set({ attempts: () => 'attempts + 1' })
        .where('challenge_hash = :challengeHash AND used_at IS NULL AND attempts < :max', { challengeHash, max })
        .execute(),
    );
    return result.affected === 1;
  }

  /** Marks the challenge used; false when it already was (two completions at once: one wins). */
  async use(tx: Transaction, challengeHash: string, at: number): Promise<boolean> {
    const result = await tx
      .getRepository(MfaChallengeEntity)
      .update({ challengeHash, usedAt: IsNull() }, { usedAt: at });
    return result.affected === 1;
  }
}
