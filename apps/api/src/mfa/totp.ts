import { timingSafeEqual } from 'node:crypto';
import { HOTP, Secret, TOTP } from 'otpauth';

/** RFC 6238 as every authenticator app does it by default: SHA-1, 6 digits, 30-second steps. */
export const TOTP_PERIOD_S = 30;
const DIGITS = 6;
const ALGORITHM = 'SHA1';
/** Steps either side of now that still count: a clock a little off, a code typed as it changed. */
const WINDOW = 1;
/** 160 bits, the size RFC 4226 recommends. */
const SECRET_BYTES = 20;

/** A new random secret (node:crypto's randomBytes), base32: what an authenticator app is given. */
export function newTotpSecret(): string {
  return new Secret({ size: SECRET_BYTES }).base32;
}

/** The `otpauth://totp/...` URI an authenticator app reads from a QR code. */
export function totpUri(secret: string, issuer: string, label: string): string {
  return new TOTP({ issuer, label, secret, algorithm: ALGORITHM, digits: DIGITS, period: TOTP_PERIOD_S }).toString();
}

/** The 30-second step `at` (epoch ms) falls in. */
export const stepAt = (at: number): number => Math.floor(at / 1000 / TOTP_PERIOD_S);

/** A code as people type it: digits, perhaps with spaces. */
export const normalizeCode = (code: string): string => code.replace(/\s+/g, '');

/** Whether this looks like a TOTP code rather than a recovery code. */
export const isTotpCode = (code: string): boolean => /^\d{6}$/.test(normalizeCode(code));

/**
 * The step within ±1 of `at` whose code `code` is, and which is later than `after` (the step of the
 * last code accepted: a code works once, and never after a newer one); null when none. Every
 * candidate is computed and compared in constant time, whichever matches.
 */
export function matchingStep(secret: string, code: string, at: number, after: number | null): number | null {
  const typed = Buffer.from(normalizeCode(code));
  if (typed.length !== DIGITS) return null;
  const key = Secret.fromBase32(secret);
  const now = stepAt(at);
  let found: number | null = null;
  for (let step = now - WINDOW; step <= now + WINDOW; step++) {
    const expected = Buffer.from(HOTP.generate({ secret: key, algorithm: ALGORITHM, digits: DIGITS, counter: step }));
    const equal = timingSafeEqual(expected, typed);
    if (equal && (after === null || step > after)) found = step;
  }
  return found;
}
