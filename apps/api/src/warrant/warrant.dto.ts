import { z } from 'zod';
import { Email, Id } from '@tessera/dto';

/**
 * Warrant's wire shapes (@warrantdev/warrant-node 3.4.0). Lenient like Warrant: unknown fields are
 * ignored, because the SDK spreads whatever its caller passed.
 */
export const WarrantUserInput = z.object({ userId: Id.optional(), email: Email.optional() });
export const WarrantUserUpdate = z.object({ email: Email.optional() });
export const WarrantTenantInput = z.object({ tenantId: Id.optional(), name: z.string().min(1).max(200).optional() });
export const WarrantTenantUpdate = z.object({ name: z.string().min(1).max(200).optional() });
export const WarrantRoleInput = z.object({
  roleId: Id,
  name: z.string().max(200).optional(),
  description: z.string().max(1000).optional(),
});
export const WarrantPermissionInput = z.object({
  permissionId: Id,
  name: z.string().max(200).optional(),
  description: z.string().max(1000).optional(),
});
export const WarrantTierInput = z.object({ pricingTierId: Id });
export const WarrantFeatureInput = z.object({ featureId: Id });
export const WarrantNamedUpdate = z.object({
  name: z.string().max(200).optional(),
  description: z.string().max(1000).optional(),
});

/** `?page&limit` of Warrant's lists; anything unparsable (the SDK can send "undefined") falls back. */
export const WarrantListQuery = z.object({
  page: z.coerce.number().int().min(1).catch(1).default(1),
  limit: z.coerce.number().int().min(1).max(1000).catch(100).default(100),
});
export type WarrantListQuery = z.infer<typeof WarrantListQuery>;

/** `GET /v1/query`: the SDK's Query.toObject() plus list options (other keys it may pass are ignored). */
export const WarrantQueryInput = z.object({
  select: z.string().min(1).max(64),
  for: z.string().max(2048).optional(),
  where: z.string().max(2048).optional(),
  page: z.coerce.number().int().min(1).catch(1).default(1),
  limit: z.coerce.number().int().min(1).max(1000).catch(100).default(100),
});

const Subject = z.object({
  objectType: z.string().min(1).max(64),
  objectId: Id,
  relation: z.string().max(64).optional(),
});
/** Warrant's policy context; `tenant` scopes a grant or a check to one tenant. */
const Context = z.record(z.string(), z.string()).optional();

export const WarrantInput = z.object({
  objectType: z.string().min(1).max(64),
  objectId: Id,
  relation: z.string().min(1).max(64),
  subject: Subject,
  context: Context,
});
export type WarrantInput = z.infer<typeof WarrantInput>;

export const AuthorizeInput = z.object({
  op: z.enum(['allOf', 'anyOf']).optional(),
  warrants: z.array(WarrantInput).min(1).max(100),
  consistentRead: z.boolean().optional(),
  debug: z.boolean().optional(),
});
export type AuthorizeInput = z.infer<typeof AuthorizeInput>;

export const AuthorizeResult = z.object({
  code: z.union([z.literal(200), z.literal(403)]),
  result: z.enum(['Authorized', 'Not Authorized']),
});

export const WarrantSessionInput = z.object({
  type: z.enum(['sess', 'ssdash']),
  userId: Id,
  tenantId: Id.optional(),
  ttl: z.number().int().min(1).optional(),
  redirectUrl: z.url().max(2048).optional(),
  context: z.unknown().optional(),
  selfServiceStrategy: z.unknown().optional(),
});
