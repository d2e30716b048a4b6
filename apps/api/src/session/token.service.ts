import { Inject, Injectable } from '@nestjs/common';
import { TokenError, createSigner, createVerifier } from 'fast-jwt';
import { z } from 'zod';
import { SessionType, Uuid } from '@tessera/dto';
import { ApiError } from '../common/api-error.js';
import { BoundedCache } from '../common/bounded-cache.js';
import { sha256Hex } from '../common/crypto.js';
import type { SigningKeys } from './signing-keys.js';

export const SIGNING_KEYS = Symbol('SIGNING_KEYS');

/** What a session token carries (ARCHITECTURE.md "Tokens and sessions"). */
const Claims = z.object({
  sub: z.string().min(1).max(128),
  sid: Uuid,
  typ: SessionType,
  /** The random secret whose SHA-256 the session row holds. */
  sec: z.string().min(32).max(64),
  tid: z.string().min(1).max(128).optional(),
  act: z.object({ sub: z.string().min(1).max(128) }).optional(),
  iat: z.number(),
  exp: z.number(),
});
export type SessionClaims = z.infer<typeof Claims>;

/** Verified tokens remembered: two generations of this many, under 20 MB (under 1 KB a token). */
const VERIFIED_TOKENS_CACHED = 10_000;

/** The claims of a verified token, and the SHA-256 of its secret, which its session row must hold. */
export type VerifiedClaims = Readonly<SessionClaims & { secretHash: string }>;

const unauthorized = () => new ApiError('unauthorized', 'Invalid session token');

/** The `kid` of a compact JWT, read from its header alone (before any key is chosen). */
function kidOf(token: string): string | undefined {
  const end = token.indexOf('.');
  if (end <= 0) return undefined;
  try {
    const header: unknown = JSON.parse(Buffer.from(token.slice(0, end), 'base64url').toString('utf8'));
    const kid = (header as { kid?: unknown } | null)?.kid;
    return typeof kid === 'string' ? kid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Signs and verifies session JWTs: HS256 only (alg none and RS/HS confusion are refused before a
 * key is used), one prepared verifier per `kid` so keys rotate by configuration. fast-jwt verifies
 * in a few microseconds; this runs on every authenticated request.
 */
@Injectable()
export class TokenService {
  private readonly verifiers: Map<string, (token: string) => unknown>;
  private readonly signer: (payload: Record<string, unknown>) => string;
  /**
   * Verified claims by the exact token string: a busy session skips the header parse, the HMAC,
   * the claim checks and the hash of its secret. Only what verified is stored; expiry is checked
   * again on every hit, and revocation is never here (it is read from the database each time).
   */
  private readonly verified = new BoundedCache<string, VerifiedClaims>(VERIFIED_TOKENS_CACHED);

  constructor(@Inject(SIGNING_KEYS) keys: SigningKeys) {
    this.verifiers = new Map(
      // No cache in fast-jwt: `verified` below remembers the parsed claims, a step further.
      [...keys.byKid].map(([kid, key]) => [kid, createVerifier({ key, algorithms: ['HS256'], requiredClaims: ['exp'], cache: false })]),
    );
    this.signer = createSigner({ key: keys.byKid.get(keys.current)!, algorithm: 'HS256', kid: keys.current });
  }

  sign(claims: Omit<SessionClaims, 'iat'>): string {
    return this.signer(claims);
  }

  /** The claims of a correctly signed, unexpired token; throws an ApiError otherwise. */
  verify(token: string): VerifiedClaims {
    const known = this.verified.get(token);
    if (known !== undefined) {
      // fast-jwt's rule: valid up to and including the second of `exp`.
      if (Date.now() > known.exp * 1000) throw new ApiError('token_expired', 'Session expired');
      return known;
    }
    const kid = kidOf(token);
    const verifier = kid === undefined ? undefined : this.verifiers.get(kid);
    if (!verifier) throw unauthorized();
    let payload: unknown;
    try {
      payload = verifier(token);
    } catch (error) {
      if (error instanceof TokenError && error.code === TokenError.codes.expired) throw new ApiError('token_expired', 'Session expired');
      throw unauthorized();
    }
    const claims = Claims.safeParse(payload);
    if (!claims.success) throw unauthorized();
    // Shared by every later request with this token: nobody may change it.
    const verified: VerifiedClaims = Object.freeze({ ...claims.data, secretHash: sha256Hex(claims.data.sec) });
    this.verified.set(token, verified);
    return verified;
  }
}
