import { z } from 'zod';
import { Id, Timestamp, pageOf } from './common.js';
import { Email, Password, User } from './user.js';

/** Built in from the first start (a migration): API.md "Directory". */
export const BUILT_IN_PERMISSIONS = ['view-self-service-dashboard', 'impersonate-users'] as const;
export const BUILT_IN_ROLES = ['admin', 'manager', 'member', 'super_admin'] as const;

const Name = z.string().min(1).max(200);
const Description = z.string().max(1000);

/** `name` is null for a tenant created without one through the Warrant-compatible API. */
export const Tenant = z.object({
  tenantId: Id,
  name: z.string().nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Tenant = z.infer<typeof Tenant>;
export const CreateTenantRequest = z.strictObject({ tenantId: Id.optional(), name: Name });
export type CreateTenantRequest = z.infer<typeof CreateTenantRequest>;
export const UpdateTenantRequest = z.strictObject({ name: Name });
export type UpdateTenantRequest = z.infer<typeof UpdateTenantRequest>;
export const TenantPage = pageOf(Tenant);

export const Permission = z.object({
  permissionId: Id,
  name: z.string().nullable(),
  description: z.string().nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Permission = z.infer<typeof Permission>;
export const CreatePermissionRequest = z.strictObject({
  permissionId: Id,
  name: Name.optional(),
  description: Description.optional(),
});
export type CreatePermissionRequest = z.infer<typeof CreatePermissionRequest>;
export const UpdatePermissionRequest = z.strictObject({
  name: Name.nullable().optional(),
  description: Description.nullable().optional(),
});
export type UpdatePermissionRequest = z.infer<typeof UpdatePermissionRequest>;
export const PermissionPage = pageOf(Permission);

export const Role = z.object({
  roleId: Id,
  name: z.string().nullable(),
  description: z.string().nullable(),
  /** The permissions this role holds. */
  permissions: z.array(Id),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Role = z.infer<typeof Role>;
export const CreateRoleRequest = z.strictObject({
  roleId: Id,
  name: Name.optional(),
  description: Description.optional(),
});
export type CreateRoleRequest = z.infer<typeof CreateRoleRequest>;
export const UpdateRoleRequest = UpdatePermissionRequest;
export type UpdateRoleRequest = z.infer<typeof UpdateRoleRequest>;
export const RolePage = pageOf(Role);

export const UpdateUserRequest = z.strictObject({ email: Email.optional(), password: Password.optional() });
export type UpdateUserRequest = z.infer<typeof UpdateUserRequest>;

/** A user in one tenant, with the roles and permissions granted there. */
export const Member = z.object({ user: User, roles: z.array(Id), permissions: z.array(Id) });
export type Member = z.infer<typeof Member>;
export const MemberPage = pageOf(Member);

/** One tenant of a user, with the roles and permissions granted there. */
export const Membership = z.object({ tenant: Tenant, roles: z.array(Id), permissions: z.array(Id) });
export type Membership = z.infer<typeof Membership>;
export const MembershipPage = pageOf(Membership);

/** A user's global (tenant-less) grants. */
export const GlobalGrants = z.object({ roles: z.array(Id), permissions: z.array(Id) });
export type GlobalGrants = z.infer<typeof GlobalGrants>;

/** What the caller may grant or revoke in a tenant: the options of the console's pickers. */
export const Assignable = z.object({ roles: z.array(Role), permissions: z.array(Permission) });
export type Assignable = z.infer<typeof Assignable>;
