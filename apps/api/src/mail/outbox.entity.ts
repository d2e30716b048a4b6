import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from '../infra/database/columns.js';

/**
 * A mail to send, written in the transaction of the action that causes it. `payload` (the template's
 * data: it may hold a link with a token) is sealed with the SecretBox and cleared once the mail is
 * sent or given up.
 */
@Entity('mail_outbox')
@Index('ix_mail_outbox_due', ['sentAt', 'failedAt', 'nextAttemptAt'])
export class OutboxMailEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 320 })
  recipient!: string;

  @Column({ type: 'varchar', length: 64 })
  template!: string;

  @Column({ type: 'text', nullable: true })
  payload!: string | null;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt!: number;

  @Column({ name: 'next_attempt_at', type: 'bigint', transformer: epochMs })
  nextAttemptAt!: number;

  /** A process sending this mail holds it until then; another may take it over after. */
  @Column({ name: 'locked_until', type: 'bigint', nullable: true, transformer: epochMs })
  lockedUntil!: number | null;

  @Column({ name: 'sent_at', type: 'bigint', nullable: true, transformer: epochMs })
  sentAt!: number | null;

  @Column({ name: 'failed_at', type: 'bigint', nullable: true, transformer: epochMs })
  failedAt!: number | null;

  @Column({ name: 'last_error', type: 'varchar', length: 512, nullable: true })
  lastError!: string | null;
}
