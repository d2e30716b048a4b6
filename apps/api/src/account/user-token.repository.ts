import { Injectable } from '@nestjs/common';
import { IsNull, MoreThan } from 'typeorm';
import { TransactionRunner, type Transaction } from '../infra/database/transaction-runner.js';
import { UserTokenEntity } from './user-token.entity.js';

/** The user_tokens table: one-time tokens sent by mail, found by their hash. */
@Injectable()
export class UserTokenRepository {
  constructor(private readonly db: TransactionRunner) {}

  async insert(tx: Transaction, token: UserTokenEntity): Promise<void> {
    await tx.getRepository(UserTokenEntity).insert(token);
  }

  findByHash(tokenHash: string): Promise<UserTokenEntity | null> {
    return this.db.run((tx) => tx.getRepository(UserTokenEntity).findOneBy({ tokenHash }));
  }

  /** Whether the user was sent a token of this purpose after this one (which then stops working). */
  newerExists(token: UserTokenEntity): Promise<boolean> {
    return this.db.run((tx) =>
      tx.getRepository(UserTokenEntity).existsBy({
        userId: token.userId,
        purpose: token.purpose,
        createdAt: MoreThan(token.createdAt),
      }),
    );
  }

  /** Marks the token used; false when it already was (two confirms at once: one wins). */
  async use(tx: Transaction, tokenHash: string, at: number): Promise<boolean> {
    const result = await tx.getRepository(UserTokenEntity).update({ tokenHash, usedAt: IsNull() }, { usedAt: at });
    return result.affected === 1;
  }
}
