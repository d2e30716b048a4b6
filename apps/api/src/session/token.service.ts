import { Inject, Injectable } from '@nestjs/common';
import { TokenError, createSigner, createVerifier } from 'fast-jwt';
import { z } from 'zod';
import { SessionType, Uuid } from '@tessera/dto';
import { ApiError } from '../common/api-error.js';
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

/** Verified tokens remembered per key (LRU): a few MB at most. */
const VERIFIED_TOKENS_CACHED = 10_000;

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

  constructor(@Inject(SIGNING_KEYS) keys: SigningKeys) {
    this.verifiers = new Map(
      // The cache maps a whole token string to its verified claims (expiry is checked again on every
      // hit), so a busy session skips the HMAC; revocation is still read from the database each time.
      [...keys.byKid].map(([kid, key]) => [kid, createVerifier({ key, algorithms: ['HS256'], requiredClaims: ['exp'], cache: VERIFIED_TOKENS_CACHED })]),
    );
    this.signer = createSigner({ key: keys.byKid.get(keys.current)!, algorithm: 'HS256', kid: keys.current });
  }

  sign(claims: Omit<SessionClaims, 'iat'>): string {
    return this.signer(claims);
  }

  /** The claims of a correctly signed, unexpired token; throws an ApiError otherwise. */
  verify(token: string): SessionClaims {
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
    return claims.data;
  }
}
