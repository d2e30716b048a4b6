import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { epochMs } from '../infra/database/columns.js';
import { UserEntity } from '../users/user.entity.js';

@Entity('tenants')
export class TenantEntity {
  @PrimaryColumn({ type: 'varchar', length: 128 })
  id!: string;

  /** Null for a tenant created without one (Warrant's tenants need none). */
  @Column({ type: 'varchar', length: 200, nullable: true })
  name!: string | null;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt!: number;

  @Column({ name: 'updated_at', type: 'bigint', transformer: epochMs })
  updatedAt!: number;
}

/**
 * Roles, permissions, pricing tiers and features are the same kind of record: an id chosen by the
 * caller, an optional name and description. Each is its own table with these columns.
 */
export abstract class NamedRecord {
  @PrimaryColumn({ type: 'varchar', length: 128 })
  id!: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  name!: string | null;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  description!: string | null;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt!: number;

  @Column({ name: 'updated_at', type: 'bigint', transformer: epochMs })
  updatedAt!: number;
}

@Entity('roles')
export class RoleEntity extends NamedRecord {}

@Entity('permissions')
export class PermissionEntity extends NamedRecord {}

/** A permission a role holds. */
@Entity('role_permissions')
@Index('ix_role_permissions_permission', ['permissionId'])
export class RolePermissionEntity {
  @PrimaryColumn({ name: 'role_id', type: 'varchar', length: 128 })
  roleId!: string;

  @PrimaryColumn({ name: 'permission_id', type: 'varchar', length: 128 })
  permissionId!: string;

  @ManyToOne(() => RoleEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'role_id' })
  role?: Relation<RoleEntity>;

  @ManyToOne(() => PermissionEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'permission_id' })
  permission?: Relation<PermissionEntity>;
}

/** A user's membership of a tenant. Tenant-scoped grants hang off it and go with it. */
@Entity('memberships')
@Index('ix_memberships_user', ['userId', 'tenantId'])
export class MembershipEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'varchar', length: 128 })
  tenantId!: string;

  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 128 })
  userId!: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt!: number;

  @ManyToOne(() => TenantEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id' })
  tenant?: Relation<TenantEntity>;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: Relation<UserEntity>;
}

/**
 * A role held in one tenant. The primary key leads with user_id, tenant_id: exactly the lookup of
 * a check ("this user's roles in these tenants"), so a check is an index range scan at any size.
 */
@Entity('tenant_role_grants')
@Index('ix_tenant_role_grants_tenant', ['tenantId', 'userId'])
@Index('ix_tenant_role_grants_role', ['roleId'])
export class TenantRoleGrantEntity {
  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 128 })
  userId!: string;

  @PrimaryColumn({ name: 'tenant_id', type: 'varchar', length: 128 })
  tenantId!: string;

  @PrimaryColumn({ name: 'role_id', type: 'varchar', length: 128 })
  roleId!: string;

  @ManyToOne(() => MembershipEntity, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId' },
    { name: 'user_id', referencedColumnName: 'userId' },
  ])
  membership?: Relation<MembershipEntity>;

  @ManyToOne(() => RoleEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'role_id' })
  role?: Relation<RoleEntity>;
}

/** A permission granted directly in one tenant. */
@Entity('tenant_permission_grants')
@Index('ix_tenant_permission_grants_tenant', ['tenantId', 'userId'])
@Index('ix_tenant_permission_grants_permission', ['permissionId'])
export class TenantPermissionGrantEntity {
  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 128 })
  userId!: string;

  @PrimaryColumn({ name: 'tenant_id', type: 'varchar', length: 128 })
  tenantId!: string;

  @PrimaryColumn({ name: 'permission_id', type: 'varchar', length: 128 })
  permissionId!: string;

  @ManyToOne(() => MembershipEntity, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId' },
    { name: 'user_id', referencedColumnName: 'userId' },
  ])
  membership?: Relation<MembershipEntity>;

  @ManyToOne(() => PermissionEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'permission_id' })
  permission?: Relation<PermissionEntity>;
}

/** A role held everywhere (no tenant). */
@Entity('global_role_grants')
@Index('ix_global_role_grants_role', ['roleId'])
export class GlobalRoleGrantEntity {
  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 128 })
  userId!: string;

  @PrimaryColumn({ name: 'role_id', type: 'varchar', length: 128 })
  roleId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: Relation<UserEntity>;

  @ManyToOne(() => RoleEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'role_id' })
  role?: Relation<RoleEntity>;
}

/** A permission held everywhere (no tenant). */
@Entity('global_permission_grants')
@Index('ix_global_permission_grants_permission', ['permissionId'])
export class GlobalPermissionGrantEntity {
  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 128 })
  userId!: string;

  @PrimaryColumn({ name: 'permission_id', type: 'varchar', length: 128 })
  permissionId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: Relation<UserEntity>;

  @ManyToOne(() => PermissionEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'permission_id' })
  permission?: Relation<PermissionEntity>;
}

/**
 * How many times a user's grants have changed: kept by database triggers (migration
 * CheckVersions), read by every check. The app never writes it.
 */
@Entity('grant_versions')
export class GrantVersionEntity {
  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 128 })
  userId!: string;

  @Column({ type: 'bigint' })
  version!: string;
}

/** How many times roles' permissions have changed (one row, id 1): kept by triggers like `grant_versions`. */
@Entity('catalog_version')
export class CatalogVersionEntity {
  @PrimaryColumn({ type: 'integer' })
  id!: number;

  @Column({ type: 'bigint' })
  version!: string;
}
