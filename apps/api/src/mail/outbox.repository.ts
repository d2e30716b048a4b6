import { Injectable } from '@nestjs/common';
import { IsNull } from 'typeorm';
import { TransactionRunner, type Transaction } from '../infra/database/transaction-runner.js';
import { OutboxMailEntity } from './outbox.entity.js';

/** The mail_outbox table. */
@Injectable()
export class OutboxRepository {
  constructor(private readonly db: TransactionRunner) {}

  async insert(tx: Transaction, mail: OutboxMailEntity): Promise<void> {
    await tx.getRepository(OutboxMailEntity).insert(mail);
  }

  /** For tests and operators: mails not sent yet. */
  pending(): Promise<OutboxMailEntity[]> {
    return this.db.run((tx) =>
      tx
        .getRepository(OutboxMailEntity)
        .find({ where: { sentAt: IsNull(), failedAt: IsNull() }, order: { createdAt: 'ASC' } }),
    );
  }
}
