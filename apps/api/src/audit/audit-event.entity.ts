import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { AuditEventType } from '@tessera/dto';
import { epochMs } from '../infra/database/columns.js';

/** One security-relevant event. Never a token, key secret or password. */
@Entity('audit_events')
@Index('ix_audit_events_at', ['createdAt', 'id'])
@Index('ix_audit_events_user', ['userId', 'createdAt'])
@Index('ix_audit_events_actor', ['actorUserId', 'createdAt'])
@Index('ix_audit_events_type', ['type', 'createdAt'])
export class AuditEventEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 64 })
  type!: AuditEventType;

  @Column({ name: 'actor_user_id', type: 'varchar', length: 128, nullable: true })
  actorUserId!: string | null;

  @Column({ name: 'actor_api_key_id', type: 'varchar', length: 36, nullable: true })
  actorApiKeyId!: string | null;

  /** The subject: the user the event is about. */
  @Column({ name: 'user_id', type: 'varchar', length: 128, nullable: true })
  userId!: string | null;

  @Column({ name: 'session_id', type: 'varchar', length: 36, nullable: true })
  sessionId!: string | null;

  @Column({ name: 'tenant_id', type: 'varchar', length: 128, nullable: true })
  tenantId!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip!: string | null;

  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  userAgent!: string | null;

  /** When it happened (the API calls it `at`). */
  @Column({ name: 'at', type: 'bigint', transformer: epochMs })
  createdAt!: number;

  /** JSON. */
  @Column({ type: 'text', nullable: true })
  details!: string | null;
}
