import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { epochMs } from '../infra/database/columns.js';
import { UserEntity } from '../users/user.entity.js';

export type UserTokenPurpose = 'password_reset' | 'email_verification' | 'email_change';

/**
 * A one-time token sent by mail: a password reset, an email verification, an email change. Only its
 * SHA-256 is stored; `email` is the address it was sent to (for a change: the new address).
 */
@Entity('user_tokens')
@Index('ix_user_tokens_user', ['userId', 'purpose'])
export class UserTokenEntity {
  @PrimaryColumn({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash!: string;

  @Column({ name: 'user_id', type: 'varchar', length: 128 })
  userId!: string;

  @Column({ type: 'varchar', length: 32 })
  purpose!: UserTokenPurpose;

  @Column({ type: 'varchar', length: 320 })
  email!: string;

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
