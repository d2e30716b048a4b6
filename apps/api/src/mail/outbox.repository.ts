import { Injectable } from '@nestjs/common';
import { IsNull } from 'typeorm';
import { TransactionRunner, type Transaction } from '../infra/database/transaction-runner.js';
import { forDatabase, ms } from '../infra/database/sql.js';
import { OutboxMailEntity } from './outbox.entity.js';

/** A mail a worker holds until `lockedUntil`: the value it set, which also tells its claim from a later one. */
export interface ClaimedMail {
  id: string;
  recipient: string;
  template: string;
  payload: string | null;
  attempts: number;
  lockedUntil: number;
}

/** What a failed attempt leaves on the row. `failedAt` set: given up, and the payload is cleared. */
export interface FailedAttempt {
  attempts: number;
  nextAttemptAt: number;
  lastError: string;
  failedAt: number | null;
}

const DUE =
  'sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ? AND (locked_until IS NULL OR locked_until <= ?)';
const RETURNED = 'id, recipient, template, payload, attempts, locked_until AS "lockedUntil"';

/**
 * Claims the mail due first: one conditional UPDATE, which only one process can win. SQLite runs
 * one writer at a time (so the pick and the update are one step, in one process or several sharing
 * the file); on PostgreSQL the pick locks its row and skips rows another claim is locking, and the
 * UPDATE checks again that the row is still due and unlocked.
 */
const CLAIM_SQLITE = `UPDATE mail_outbox SET locked_until = ?
  WHERE id = (SELECT id FROM mail_outbox WHERE ${DUE} ORDER BY next_attempt_at LIMIT 1) AND ${DUE}
  RETURNING ${RETURNED}`;
const CLAIM_POSTGRES = `UPDATE mail_outbox SET locked_until = ?
  WHERE id = (SELECT id FROM mail_outbox WHERE ${DUE} ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED)
    AND ${DUE}
  RETURNING ${RETURNED}`;

/** The mail_outbox table. */
@Injectable()
export class OutboxRepository {
  private readonly claimSql: string;

  constructor(private readonly db: TransactionRunner) {
    this.claimSql = forDatabase(db, db.database === 'postgres' ? CLAIM_POSTGRES : CLAIM_SQLITE);
  }

  async insert(tx: Transaction, mail: OutboxMailEntity): Promise<void> {
    await tx.getRepository(OutboxMailEntity).insert(mail);
  }

  /** Takes the mail due first (not sent, not given up, its time come, no live lock) until `lockedUntil`. */
  async claimNext(now: number, lockedUntil: number): Promise<ClaimedMail | null> {
    const result = await this.db.run((tx) => tx.query<unknown>(this.claimSql, [lockedUntil, now, now, now, now]));
    // PostgreSQL answers an UPDATE with [rows, count], better-sqlite3 with the rows.
    const rows = (this.db.database === 'postgres' ? (result as [unknown[], number])[0] : result) as ClaimedMail[];
    const row = rows[0];
    if (row === undefined) return null;
    return { ...row, attempts: Number(row.attempts), lockedUntil: ms(row.lockedUntil) };
  }

  /** Sent: the payload (the link) goes, and so does the lock. */
  async markSent(id: string, at: number): Promise<void> {
    await this.db.run((tx) =>
      tx
        .getRepository(OutboxMailEntity)
        .update({ id, sentAt: IsNull() }, { sentAt: at, payload: null, lockedUntil: null }),
    );
  }

  /** Records a failed attempt, if the claim is still this worker's; false when another took it over. */
  async recordFailure(mail: ClaimedMail, failure: FailedAttempt): Promise<boolean> {
    const result = await this.db.run((tx) =>
      tx.getRepository(OutboxMailEntity).update(
        { id: mail.id, lockedUntil: mail.lockedUntil, sentAt: IsNull() },
        {
          attempts: failure.attempts,
          nextAttemptAt: failure.nextAttemptAt,
          lastError: failure.lastError,
          lockedUntil: null,
          ...(failure.failedAt === null ? {} : { failedAt: failure.failedAt, payload: null }),
        },
      ),
    );
    return result.affected === 1;
  }

  /** Gives a claimed mail back untried (the process is stopping): any worker may take it at once. */
  async release(mail: ClaimedMail): Promise<void> {
    await this.db.run((tx) =>
      tx
        .getRepository(OutboxMailEntity)
        .update({ id: mail.id, lockedUntil: mail.lockedUntil, sentAt: IsNull() }, { lockedUntil: null }),
    );
  }
}
