import { z } from 'zod';
import { Email, Password, User } from './user.js';

/** API.md "Account security": the second factor, password reset, email verification, sign-up. */

export const MfaStatus = z.object({
  totp: z.boolean(),
  recoveryCodesLeft: z.number().int(),
});
export type MfaStatus = z.infer<typeof MfaStatus>;

/** Changing a second factor asks for the password again. */
export const BeginTotpRequest = z.strictObject({ password: z.string().min(1).max(1024) });
export type BeginTotpRequest = z.infer<typeof BeginTotpRequest>;

/** A pending secret: it works once confirmed with a first code. `qrSvg` shows `uri` as a QR code. */
export const BeginTotpResponse = z.object({ secret: z.string(), uri: z.string(), qrSvg: z.string() });
export type BeginTotpResponse = z.infer<typeof BeginTotpResponse>;

export const ConfirmTotpRequest = z.strictObject({ code: z.string().min(1).max(32) });
export type ConfirmTotpRequest = z.infer<typeof ConfirmTotpRequest>;

/** Shown once: only their hashes are kept. */
export const RecoveryCodesResponse = z.object({ recoveryCodes: z.array(z.string()) });
export type RecoveryCodesResponse = z.infer<typeof RecoveryCodesResponse>;

/** Disabling the second factor, or new recovery codes: the password and a current code. */
export const TotpChangeRequest = z.strictObject({
  password: z.string().min(1).max(1024),
  code: z.string().min(1).max(64),
});
export type TotpChangeRequest = z.infer<typeof TotpChangeRequest>;

/** The answer of every request whose effect must not say whether an address has an account. */
export const AcceptedResponse = z.object({ accepted: z.literal(true) });
export type AcceptedResponse = z.infer<typeof AcceptedResponse>;

export const PasswordResetRequest = z.strictObject({
  // Not format-checked: a malformed address is just one without an account.
  email: z.string().min(1).max(320),
});
export type PasswordResetRequest = z.infer<typeof PasswordResetRequest>;

export const PasswordResetConfirmRequest = z.strictObject({
  token: z.string().min(1).max(128),
  newPassword: Password,
});
export type PasswordResetConfirmRequest = z.infer<typeof PasswordResetConfirmRequest>;

export const VerifyEmailRequest = z.strictObject({ token: z.string().min(1).max(128) });
export type VerifyEmailRequest = z.infer<typeof VerifyEmailRequest>;

export const VerifyEmailResponse = z.object({ user: User });
export type VerifyEmailResponse = z.infer<typeof VerifyEmailResponse>;

export const ChangeEmailRequest = z.strictObject({ password: z.string().min(1).max(1024), newEmail: Email });
export type ChangeEmailRequest = z.infer<typeof ChangeEmailRequest>;

export const SignUpRequest = z.strictObject({ email: Email, password: Password });
export type SignUpRequest = z.infer<typeof SignUpRequest>;

/** Why a password was refused (400 `weak_password`, `details.reason`). */
export const WEAK_PASSWORD_REASONS = ['too_short', 'too_long', 'common', 'same_as_email'] as const;
export type WeakPasswordReason = (typeof WEAK_PASSWORD_REASONS)[number];

/** Why a reset or verification token was refused (400 `invalid_token`, `details.reason`). */
export const INVALID_TOKEN_REASONS = ['unknown', 'used', 'expired', 'superseded'] as const;
export type InvalidTokenReason = (typeof INVALID_TOKEN_REASONS)[number];
