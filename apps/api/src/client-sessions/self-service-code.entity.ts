import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from '../infra/database/columns.js';

/**
 * A one-time code from a dashboard URL. It is a right to mint one self-service session, so the
 * URL never carries a token; only the code's SHA-256 is stored.
 */
@Entity('self_service_codes')
@Index('ix_self_service_codes_expires', ['expiresAt'])
export class SelfServiceCodeEntity {
  @PrimaryColumn({ name: 'code_hash', type: 'varchar', length: 64 })
  codeHash!: string;

  @Column({ name: 'user_id', type: 'varchar', length: 128 })
  userId!: string;

  @Column({ name: 'tenant_id', type: 'varchar', length: 128 })
  tenantId!: string;

  @Column({ name: 'redirect_url', type: 'varchar', length: 2048, nullable: true })
  redirectUrl!: string | null;

  /** When the dashboard session minted from this code must end (the ttl the backend asked for). */
  @Column({ name: 'session_expires_at', type: 'bigint', transformer: epochMs })
  sessionExpiresAt!: number;

  /** The code itself lives 60 seconds. */
  @Column({ name: 'expires_at', type: 'bigint', transformer: epochMs })
  expiresAt!: number;

  @Column({ name: 'used_at', type: 'bigint', nullable: true, transformer: epochMs })
  usedAt!: number | null;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt!: number;
}
