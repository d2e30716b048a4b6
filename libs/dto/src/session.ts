import { z } from 'zod';
import { Id, Timestamp, Uuid, pageOf } from './common.js';
import { Password, User } from './user.js';

export const SESSION_TYPES = ['user', 'impersonation', 'authorization', 'self_service'] as const;
export const SessionType = z.enum(SESSION_TYPES);
export type SessionType = z.infer<typeof SessionType>;

/** API.md "Session object". Optional fields are null when absent. */
export const Session = z.object({
  id: Uuid,
  type: SessionType,
  userId: Id,
  tenantId: Id.nullable(),
  impersonatorId: Id.nullable(),
  createdAt: Timestamp,
  lastUsedAt: Timestamp,
  expiresAt: Timestamp,
  absoluteExpiresAt: Timestamp,
  expiration: z.number().int().describe('sliding window in seconds'),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  current: z.boolean(),
});
export type Session = z.infer<typeof Session>;

/** Seconds; the upper bound is the server's TESSERA_SESSION_MAX_EXPIRATION. */
export const Expiration = z.number().int().min(1).describe('seconds');

export const SignInRequest = z.strictObject({
  // Not format-checked: a malformed email is just an unknown one (invalid_credentials).
  email: z.string().min(1).max(320),
  // Generous cap so the hash cost stays bounded; length rules apply when a password is set.
  password: z.string().min(1).max(1024),
  expiration: Expiration.optional(),
  /** The current TOTP code, for a user with a second factor: sign-in in one step. */
  otp: z.string().min(1).max(32).optional(),
});
export type SignInRequest = z.infer<typeof SignInRequest>;

export const SignInResponse = z.object({ token: z.string(), session: Session, user: User });
export type SignInResponse = z.infer<typeof SignInResponse>;

/** Sign-in's first step for a user with a second factor: no session yet, a challenge to complete. */
export const MfaChallengeResponse = z.object({
  mfaRequired: z.literal(true),
  challenge: z.string(),
  expiresAt: Timestamp,
});
export type MfaChallengeResponse = z.infer<typeof MfaChallengeResponse>;

/** 201 with a session, or 200 with a challenge when the user has a second factor and sent no `otp`. */
export const SignInResult = z.union([SignInResponse, MfaChallengeResponse]);
export type SignInResult = z.infer<typeof SignInResult>;

/** The second step: the challenge and a TOTP code or a recovery code, exactly one. */
export const SignInMfaRequest = z
  .strictObject({
    challenge: z.string().min(1).max(128),
    code: z.string().min(1).max(32).optional(),
    recoveryCode: z.string().min(1).max(64).optional(),
  })
  .refine((b) => (b.code === undefined) !== (b.recoveryCode === undefined), {
    message: 'exactly one of code or recoveryCode',
  });
export type SignInMfaRequest = z.infer<typeof SignInMfaRequest>;

export const SignOutRequest = z.strictObject({ all: z.boolean().optional() });
export type SignOutRequest = z.infer<typeof SignOutRequest>;

export const RevokedResponse = z.object({ revoked: z.number().int() });
export type RevokedResponse = z.infer<typeof RevokedResponse>;

export const CurrentSessionResponse = z.object({ session: Session, user: User });
export type CurrentSessionResponse = z.infer<typeof CurrentSessionResponse>;

export const SessionPage = pageOf(Session);

export const ChangePasswordRequest = z.strictObject({
  currentPassword: z.string().min(1).max(1024),
  newPassword: Password,
  revokeOtherSessions: z.boolean().optional(),
});
export type ChangePasswordRequest = z.infer<typeof ChangePasswordRequest>;
