import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochMs } from '../infra/database/columns.js';

/** What a warrant created on first use: an object of its type, or a membership a tenant grant needed. */
export type FirstUseType = 'tenant' | 'user' | 'role' | 'permission' | 'pricing-tier' | 'feature' | 'membership';

/**
 * A record a warrant created because it named it before anything else had (Warrant keeps warrants
 * apart from objects; Tessera's grants need their user, role and tenant). It goes again when the
 * last warrant naming it goes, as in Warrant nothing was ever there. `createdAt` is the record's own:
 * one deleted and made again by other means is another record, never swept.
 */
@Entity('warrant_first_use')
export class WarrantFirstUseEntity {
  @PrimaryColumn({ type: 'varchar', length: 32 })
  type!: FirstUseType;

  /** The object's id as Tessera keeps it; the user's id for a membership. */
  @PrimaryColumn({ type: 'varchar', length: 128 })
  id!: string;

  /** The membership's tenant; '' for an object. */
  @PrimaryColumn({ name: 'tenant_id', type: 'varchar', length: 128 })
  tenantId!: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt!: number;
}
