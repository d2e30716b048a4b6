import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from '../infra/database/columns.js';

@Entity('users')
@Index('uq_users_email', ['email'], { unique: true })
export class UserEntity {
  @PrimaryColumn({ type: 'varchar', length: 128 })
  id!: string;

  /** Stored lowercased: emails are unique case-insensitively. Null for a user without one. */
  @Column({ type: 'varchar', length: 320, nullable: true })
  email!: string | null;

  /** argon2id PHC string; null for a user who cannot sign in with a password. */
  @Column({ name: 'password_hash', type: 'varchar', length: 255, nullable: true })
  passwordHash!: string | null;

  @Column({ name: 'super_admin', type: 'boolean' })
  superAdmin!: boolean;

  @Column({ name: 'disabled_at', type: 'bigint', nullable: true, transformer: epochMs })
  disabledAt!: number | null;

  /** Sessions created before this moment are dead (set by "sign out everywhere" and by disabling). */
  @Column({ name: 'sessions_valid_after', type: 'bigint', nullable: true, transformer: epochMs })
  sessionsValidAfter!: number | null;

  /** When the user proved they receive mail at `email`; null until then (and again after a change). */
  @Column({ name: 'email_verified_at', type: 'bigint', nullable: true, transformer: epochMs })
  emailVerifiedAt!: number | null;

  /** A confirmed second factor (TOTP): sign-in asks for a code. Kept here so every user answer shows it. */
  @Column({ name: 'mfa_enabled', type: 'boolean', default: false })
  mfaEnabled!: boolean;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt!: number;

  @Column({ name: 'updated_at', type: 'bigint', transformer: epochMs })
  updatedAt!: number;
}
