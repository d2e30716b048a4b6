import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { epochMs } from '../infra/database/columns.js';
import { UserEntity } from '../users/user.entity.js';

/**
 * The second step of a sign-in whose password was right: completed with a code within its lifetime,
 * once, in a few attempts, by the client that began it. Only the challenge's SHA-256 is kept.
 */
@Entity('mfa_challenges')
@Index('ix_mfa_challenges_user', ['userId'])
export class MfaChallengeEntity {
  @PrimaryColumn({ name: 'challenge_hash', type: 'varchar', length: 64 })
  challengeHash!: string;

  @Column({ name: 'user_id', type: 'varchar', length: 128 })
  userId!: string;

  /** The session's sliding window in seconds, as the sign-in asked for it. */
  @Column({ type: 'integer' })
  expiration!: number;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip!: string | null;

  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  userAgent!: string | null;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt!: number;

  @Column({ name: 'expires_at', type: 'bigint', transformer: epochMs })
  expiresAt!: number;

  @Column({ name: 'used_at', type: 'bigint', nullable: true, transformer: epochMs })
  usedAt!: number | null;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: Relation<UserEntity>;
}
