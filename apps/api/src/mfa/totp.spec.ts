import { Secret } from 'otpauth';
import { newRecoveryCode, recoveryCodeHash } from './recovery-codes.js';
import { isTotpCode, matchingStep, newTotpSecret, stepAt, totpUri } from './totp.js';

// RFC 6238 appendix B: the SHA-1 key, and its 8-digit code 94287082 at T = 59 s (6 digits: 287082).
const RFC_SECRET = Secret.fromLatin1('12345678901234567890').base32;

describe('TOTP', () => {
  it('accepts the RFC 6238 code in its step and one step either side, not two', () => {
    expect(stepAt(59_000)).toBe(1);
    expect(matchingStep(RFC_SECRET, '287082', 59_000, null)).toBe(1);
    expect(matchingStep(RFC_SECRET, '287 082', 59_000 + 30_000, null)).toBe(1);
    expect(matchingStep(RFC_SECRET, '287082', 59_000 - 30_000, null)).toBe(1);
    expect(matchingStep(RFC_SECRET, '287082', 59_000 + 60_000, null)).toBeNull();
    expect(matchingStep(RFC_SECRET, '287083', 59_000, null)).toBeNull();
    expect(matchingStep(RFC_SECRET, '28708', 59_000, null)).toBeNull();
  });

  it('refuses a code of a step already used, or older than the last used', () => {
    expect(matchingStep(RFC_SECRET, '287082', 59_000, 0)).toBe(1);
    expect(matchingStep(RFC_SECRET, '287082', 59_000, 1)).toBeNull();
    expect(matchingStep(RFC_SECRET, '287082', 59_000, 2)).toBeNull();
  });

  it('makes 160-bit secrets and otpauth URIs authenticator apps read', () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(newTotpSecret()).not.toBe(secret);
    const uri = new URL(totpUri(secret, 'Tessera', 'ada@example.test'));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.searchParams.get('secret')).toBe(secret);
    expect(uri.searchParams.get('issuer')).toBe('Tessera');
    expect([uri.searchParams.get('digits'), uri.searchParams.get('period')]).toEqual(['6', '30']);
  });

  it('tells a TOTP code from a recovery code', () => {
    expect(isTotpCode('123456')).toBe(true);
    expect(isTotpCode(' 123 456 ')).toBe(true);
    expect(isTotpCode(newRecoveryCode())).toBe(false);
  });
});

describe('recovery codes', () => {
  it('are 125 random bits in five groups, hashed in one canonical form', () => {
    const code = newRecoveryCode();
    expect(code).toMatch(/^[0-9a-hjkmnp-tv-z]{5}(-[0-9a-hjkmnp-tv-z]{5}){4}$/);
    expect(newRecoveryCode()).not.toBe(code);
    const hash = recoveryCodeHash(code);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(recoveryCodeHash(code.toUpperCase().replace(/-/g, ' '))).toBe(hash);
    expect(recoveryCodeHash('0o1il-22222-33333-44444-55555')).toBe(recoveryCodeHash('00111-22222-33333-44444-55555'));
  });
});
