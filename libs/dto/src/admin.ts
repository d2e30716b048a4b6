import { z } from 'zod';
import { Id, ListQuery, Timestamp, Uuid, pageOf } from './common.js';
import { Email, User } from './user.js';
import { Tenant } from './directory.js';
import { Session } from './session.js';

export const ApiKeyRole = z.enum(['admin', 'login']);
export type ApiKeyRole = z.infer<typeof ApiKeyRole>;

/** An API key as listed: never its secret. */
export const ApiKey = z.object({
  id: Uuid,
  name: z.string(),
  roles: z.array(ApiKeyRole),
  createdAt: Timestamp,
  lastUsedAt: Timestamp.nullable(),
  expiresAt: Timestamp.nullable(),
  revokedAt: Timestamp.nullable(),
});
export type ApiKey = z.infer<typeof ApiKey>;
export const ApiKeyPage = pageOf(ApiKey);

export const CreateApiKeyRequest = z.strictObject({
  name: z.string().min(1).max(200),
  roles: z.tuple([ApiKeyRole]).describe('exactly one role: ["admin"] or ["login"]'),
  expiresAt: Timestamp.optional(),
});
export type CreateApiKeyRequest = z.infer<typeof CreateApiKeyRequest>;

/** The secret is shown here, once. */
export const CreateApiKeyResponse = z.object({ apiKey: ApiKey, secret: z.string() });
export type CreateApiKeyResponse = z.infer<typeof CreateApiKeyResponse>;

/**
 * `{email}` or `{userId}`, exactly one; an optional sliding window and an optional time limit in
 * seconds (both capped by TESSERA_IMPERSONATION_MAX_SECONDS); and why, kept in the audit event.
 */
export const CreateSessionTokenRequest = z
  .strictObject({
    email: Email.optional(),
    userId: Id.optional(),
    expiration: z.number().int().min(1).optional(),
    lifetime: z.number().int().min(1).optional().describe('time limit in seconds; the cap when omitted'),
    reason: z.string().trim().min(1).max(500).optional().describe('recorded in the impersonation.started event'),
  })
  .refine((b) => (b.email === undefined) !== (b.userId === undefined), { message: 'exactly one of email or userId' });
export type CreateSessionTokenRequest = z.infer<typeof CreateSessionTokenRequest>;

export const CreateSessionTokenResponse = z.object({ token: z.string(), session: Session });
export type CreateSessionTokenResponse = z.infer<typeof CreateSessionTokenResponse>;

export const AdminUserResponse = User;

export const AUDIT_EVENT_TYPES = [
  'sign_in.succeeded',
  'sign_in.failed',
  'sign_out',
  'session.revoked',
  'password.changed',
  'impersonation.started',
  'client_session.created',
  'api_key.created',
  'api_key.revoked',
  'user.disabled',
  'user.enabled',
  'grant.added',
  'grant.removed',
  'user.created',
  'user.deleted',
  'email.changed',
  'tenant.created',
  'tenant.updated',
  'tenant.deleted',
  'member.added',
  'member.removed',
  'catalog.created',
  'catalog.updated',
  'catalog.deleted',
  'role.permission_added',
  'role.permission_removed',
  'entitlement.added',
  'entitlement.removed',
  'mfa.enabled',
  'mfa.disabled',
  'mfa.reset',
  'mfa.failed',
  'mfa.recovery_codes_regenerated',
  'recovery_code.used',
  'password_reset.requested',
  'password_reset.completed',
  'email.verified',
  'email.change_requested',
  'email.verification_requested',
  'user.signed_up',
  'mail.failed',
] as const;
export const AuditEventType = z.enum(AUDIT_EVENT_TYPES);
export type AuditEventType = z.infer<typeof AuditEventType>;

export const AuditEvent = z.object({
  id: Uuid,
  type: AuditEventType,
  actorUserId: Id.nullable(),
  actorApiKeyId: Uuid.nullable(),
  userId: Id.nullable(),
  sessionId: Uuid.nullable(),
  tenantId: Id.nullable(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  at: Timestamp,
  details: z.record(z.string(), z.unknown()).nullable(),
});
export type AuditEvent = z.infer<typeof AuditEvent>;
export const AuditEventPage = pageOf(AuditEvent);

export const AuditEventQuery = ListQuery.extend({
  userId: Id.optional(),
  type: AuditEventType.optional(),
  from: Timestamp.optional(),
  to: Timestamp.optional(),
});
export type AuditEventQuery = z.infer<typeof AuditEventQuery>;

/** A tenant where the signed-in person administers: holds the `admin` role or `impersonate-users` there. */
export const AdministeredTenant = z.object({ tenant: Tenant, admin: z.boolean(), impersonate: z.boolean() });
export type AdministeredTenant = z.infer<typeof AdministeredTenant>;

/**
 * What the signed-in person may do in the admin console, as the API decides it: everything (super
 * admin), their tenants (tenant admin), or nothing (their own account pages only).
 */
export const ConsoleAccess = z.object({
  superAdmin: z.boolean(),
  /** Tenants they administer; empty for a super admin (who has every tenant) and for a plain user. */
  tenants: z.array(AdministeredTenant),
  /** TESSERA_IMPERSONATION_MAX_SECONDS: the longest an impersonation may last. */
  impersonationMaxSeconds: z.number().int(),
});
export type ConsoleAccess = z.infer<typeof ConsoleAccess>;

/** Whether the caller may act as this user now: what `POST /v1/admin/session-tokens` would answer. */
export const ImpersonationAllowed = z.object({ allowed: z.boolean(), maxSeconds: z.number().int() });
export type ImpersonationAllowed = z.infer<typeof ImpersonationAllowed>;
