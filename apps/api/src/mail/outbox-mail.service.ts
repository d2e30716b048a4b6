import { Injectable } from '@nestjs/common';
import { uuidv7 } from '../common/crypto.js';
import { TransactionRunner, type Transaction } from '../infra/database/transaction-runner.js';
import { SecretBox } from '../infra/secrets/secret-box.js';
import { MailService, type Mail, type MailTemplate } from './mail.service.js';
import { OutboxWorker, payloadContext } from './outbox-worker.js';
import { OutboxRepository } from './outbox.repository.js';

export { payloadContext };

/**
 * Writes each mail to the outbox, in the transaction of the action that causes it: the mail exists
 * exactly when its cause committed, and nothing is sent on the request's path. The worker sends it.
 */
/** How long after the commit of a mail the worker is woken for it. */
const WAKE_AFTER_MS = 100;

@Injectable()
export class OutboxMailService extends MailService {
  constructor(
    private readonly outbox: OutboxRepository,
    private readonly box: SecretBox,
    private readonly worker: OutboxWorker,
    private readonly db: TransactionRunner,
  ) {
    super();
  }

  async enqueue<T extends MailTemplate>(tx: Transaction, mail: Mail<T>): Promise<void> {
    const id = uuidv7();
    const now = Date.now();
    await this.outbox.insert(tx, {
      id,
      recipient: mail.to,
      template: mail.template,
      payload: this.box.seal(JSON.stringify(mail.data), payloadContext(id)),
      attempts: 0,
      createdAt: now,
      nextAttemptAt: now,
      lockedUntil: null,
      sentAt: null,
      failedAt: null,
      lastError: null,
    });
    // The worker cannot see the mail before the transaction commits (its poll would find it anyway),
    // and it waits a moment more: sending never competes with the answer of the request behind it.
    this.db.afterCommit(tx, () => setTimeout(() => this.worker.wake(), WAKE_AFTER_MS).unref());
  }
}
