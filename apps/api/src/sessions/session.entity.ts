import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { SessionType } from '@tessera/dto';
import { epochMs } from '../infra/database/columns.js';

/**
 * One row per session. The token carries a random secret; only its SHA-256 is stored here,
 * so a copy of this table mints nothing. No foreign key to users: a deleted user's sessions
 * stay behind as revoked rows so their tokens answer token_revoked, not unauthorized.
 */
@Entity('sessions')
@Index('ix_sessions_user', ['userId', 'createdAt'])
@Index('ix_sessions_impersonator', ['impersonatorId'])
export class SessionEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'user_id', type: 'varchar', length: 128 })
  userId!: string;

  @Column({ type: 'varchar', length: 16 })
  type!: SessionType;

  @Column({ name: 'tenant_id', type: 'varchar', length: 128, nullable: true })
  tenantId!: string | null;

  @Column({ name: 'impersonator_id', type: 'varchar', length: 128, nullable: true })
  impersonatorId!: string | null;

  @Column({ name: 'secret_hash', type: 'varchar', length: 64 })
  secretHash!: string;

  /** Sliding window in seconds (a client session's fixed ttl). */
  @Column({ type: 'integer' })
  expiration!: number;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt!: number;

  @Column({ name: 'last_used_at', type: 'bigint', transformer: epochMs })
  lastUsedAt!: number;

  @Column({ name: 'expires_at', type: 'bigint', transformer: epochMs })
  expiresAt!: number;

  @Column({ name: 'absolute_expires_at', type: 'bigint', transformer: epochMs })
  absoluteExpiresAt!: number;

  @Column({ name: 'revoked_at', type: 'bigint', nullable: true, transformer: epochMs })
  revokedAt!: number | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip!: string | null;

  /**
   * A session of a user whom TESSERA_REQUIRE_MFA covers, signed in before they enrolled a second
   * factor: it may only enrol (and read itself, and sign out) until they do.
   */
  @Column({ name: 'enrol_only', type: 'boolean', default: false })
  enrolOnly!: boolean;

  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  userAgent!: string | null;
}
