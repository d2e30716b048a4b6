import { z } from 'zod';
import { Id, ListQuery, Timestamp, pageOf } from './common.js';

/** The password policy's bounds (the minimum is TESSERA_PASSWORD_MIN_LENGTH, 8 by default). */
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 256;

/**
 * A new password, as the request carries it. The policy (length, common passwords, not the email)
 * is the server's: a password it refuses is 400 `weak_password` with the reason, not a schema error.
 * The cap only bounds what a request may make the server hash.
 */
export const Password = z.string().min(1).max(1024);
export const Email = z.email().max(320);

/** A user as the API shows it: never a password hash. */
export const User = z.object({
  userId: Id,
  /** Null for a user created without one (through the Warrant-compatible API). */
  email: z.string().nullable(),
  disabled: z.boolean(),
  superAdmin: z.boolean(),
  /** When the user proved they receive mail at `email`; null until then. */
  emailVerifiedAt: Timestamp.nullable(),
  /** A confirmed second factor: sign-in asks for a code. */
  mfa: z.boolean(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type User = z.infer<typeof User>;

export const CreateUserRequest = z.strictObject({
  userId: Id.optional(),
  email: Email,
  password: Password.optional(),
  /** For imports: the address is known to be the user's (no verification mail). */
  emailVerified: z.boolean().optional(),
  /** Mail the user a link to verify their address. */
  sendVerificationEmail: z.boolean().optional(),
});
export type CreateUserRequest = z.infer<typeof CreateUserRequest>;

export const UserPage = pageOf(User);

/** `true` or `false` in a query string. */
const QueryFlag = z.enum(['true', 'false']).transform((v) => v === 'true');

/**
 * The users list's search and filters (all optional, combined with AND): `q` matches part of an
 * email or the start of an id; `tenantId` keeps that tenant's members.
 */
export const UserListQuery = ListQuery.extend({
  q: z.string().trim().min(1).max(320).optional(),
  disabled: QueryFlag.optional(),
  superAdmin: QueryFlag.optional(),
  mfa: QueryFlag.optional(),
  tenantId: Id.optional(),
});
export type UserListQuery = z.infer<typeof UserListQuery>;
