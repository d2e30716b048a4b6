import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, type Relation, type ValueTransformer } from 'typeorm';
import { epochMs } from '../infra/database/columns.js';
import { UserEntity } from '../users/user.entity.js';

/** A BIGINT that is a count, not a time: PostgreSQL returns it as a string. */
const bigintNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};

/**
 * A user's TOTP secret (RFC 6238): pending until confirmed with a first code. The secret is sealed
 * with SecretBox (context `totp:<userId>`); `lastUsedStep` is the 30-second step of the last code
 * accepted, so each code works once.
 */
@Entity('mfa_totp')
export class MfaTotpEntity {
  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 128 })
  userId!: string;

  @Column({ name: 'secret_enc', type: 'varchar', length: 512 })
  secretEnc!: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt!: number;

  @Column({ name: 'confirmed_at', type: 'bigint', nullable: true, transformer: epochMs })
  confirmedAt!: number | null;

  @Column({ name: 'last_used_step', type: 'bigint', nullable: true, transformer: bigintNumber })
  lastUsedStep!: number | null;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: Relation<UserEntity>;
}
