import { z } from 'zod';
import { ID_PATTERN, Id } from '@tessera/dto';

/**
 * Warrant's wire shapes (@warrantdev/warrant-node 3.4.0). Lenient like Warrant: unknown fields are
 * ignored, because the SDK spreads whatever its caller passed.
 */
/** Warrant's `email` is any string (it accepts `not-an-email`), or null. */
const FreeEmail = z.string().max(320).nullable().optional();
/** A tenant's name: any string, the empty one too (Warrant's), or null for none. */
const TenantName = z.string().max(200).nullable().optional();
const Name = z.string().max(200).nullable().optional();
const Description = z.string().max(1000).nullable().optional();

export const WarrantUserInput = z.object({ userId: Id.optional(), email: FreeEmail });
export const WarrantUserUpdate = z.object({ email: FreeEmail });
export const WarrantTenantInput = z.object({ tenantId: Id.optional(), name: TenantName });
export const WarrantTenantUpdate = z.object({ name: TenantName });
export const WarrantRoleInput = z.object({ roleId: Id, name: Name, description: Description });
export const WarrantPermissionInput = z.object({ permissionId: Id, name: Name, description: Description });
export const WarrantTierInput = z.object({ pricingTierId: Id, name: Name, description: Description });
export const WarrantFeatureInput = z.object({ featureId: Id, name: Name, description: Description });
export const WarrantNamedUpdate = z.object({ name: Name, description: Description });

/** List options of Warrant's newer SDKs that Tessera does not offer: refused, never ignored. */
const Unsupported = (key: string) =>
  z
    .unknown()
    .optional()
    .refine((v) => v === undefined, `${key} is not supported: Tessera lists in creation order with page and limit`);
const LIST_OPTIONS = {
  sortBy: Unsupported('sortBy'),
  sortOrder: Unsupported('sortOrder'),
  afterId: Unsupported('afterId'),
  beforeId: Unsupported('beforeId'),
  afterValue: Unsupported('afterValue'),
  beforeValue: Unsupported('beforeValue'),
};

/**
 * `?page&limit` of Warrant's lists; anything unparsable (the SDK can send "undefined") falls back.
 * The newer SDKs' sorting and cursor options answer 400 invalid_parameter naming the option.
 */
export const WarrantListQuery = z.object({
  page: z.coerce.number().int().min(1).catch(1).default(1),
  limit: z.coerce.number().int().min(1).max(1000).catch(100).default(100),
  ...LIST_OPTIONS,
});
export type WarrantListQuery = z.infer<typeof WarrantListQuery>;

/** `GET /v1/query`: the SDK's Query.toObject() plus list options (other keys it may pass are ignored). */
export const WarrantQueryInput = z.object({
  select: z.string().min(1).max(64),
  for: z.string().max(2048).optional(),
  where: z.string().max(2048).optional(),
  page: z.coerce.number().int().min(1).catch(1).default(1),
  limit: z.coerce.number().int().min(1).max(1000).catch(100).default(100),
  ...LIST_OPTIONS,
});

const Subject = z.object({
  objectType: z.string().min(1).max(64),
  objectId: Id,
  relation: z.string().max(64).optional(),
});
/**
 * Warrant's context. Tessera models one key, `tenant`, which scopes a grant or a check to one
 * tenant. Any other key is refused (400 naming it), never dropped: a grant whose context Tessera
 * ignored would hold wider than asked.
 */
const Context = z
  .record(z.string(), z.string())
  .superRefine((context, ctx) => {
    for (const [key, value] of Object.entries(context)) {
      if (key === 'tenant' && !ID_PATTERN.test(value)) {
        ctx.addIssue({ code: 'custom', path: [key], message: `must match ${ID_PATTERN.source}` });
      } else if (key !== 'tenant') {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `context key ${key} is not supported: Tessera scopes by tenant only`,
        });
      }
    }
  })
  .optional();

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
  /** Adds Warrant's `decisionPath` to an authorized answer. */
  debug: z.boolean().optional(),
});
export type AuthorizeInput = z.infer<typeof AuthorizeInput>;

const StoredWarrant = z.object({
  objectType: z.string(),
  objectId: z.string(),
  relation: z.string(),
  subject: z.object({ objectType: z.string(), objectId: z.string(), relation: z.string().optional() }),
  context: z.record(z.string(), z.string()).optional(),
});

export const AuthorizeResult = z.object({
  code: z.union([z.literal(200), z.literal(403)]),
  result: z.enum(['Authorized', 'Not Authorized']),
  /** With `debug`: per warrant that held, the stored warrants it held through, subject side first. */
  decisionPath: z.record(z.string(), z.array(StoredWarrant)).optional(),
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
