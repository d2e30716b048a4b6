import type { KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import jwt from 'jsonwebtoken';
import { z } from 'zod';
import { SessionType, Uuid } from '@tessera/dto';
import { ApiError } from '../infra/http/api-error.js';
import { sha256Hex } from '../common/crypto.js';
import { SIGNING_KEYS, type SigningKeys } from './signing-keys.js';

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

/** The claims of a verified token, and the SHA-256 of its secret, which its session row must hold. */
export type VerifiedClaims = Readonly<SessionClaims & { secretHash: string }>;

/** The only algorithm a session token may use: `alg: none` and RS/HS confusion are refused. */
export const SESSION_TOKEN_ALGORITHM = 'HS256';

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
 * Session JWTs: signs them with the current key, and gives the session-token strategy the prepared
 * key a token's `kid` names, so keys rotate by configuration and nothing parses a key per request.
 */
@Injectable()
export class SessionTokenService {
  private readonly signingKey: KeyObject;

  constructor(@Inject(SIGNING_KEYS) private readonly keys: SigningKeys) {
    this.signingKey = keys.byKid.get(keys.current)!;
  }

  sign(claims: Omit<SessionClaims, 'iat'>): string {
    return jwt.sign(claims, this.signingKey, { algorithm: SESSION_TOKEN_ALGORITHM, keyid: this.keys.current });
  }

  /** The key that verifies this token, or undefined when its `kid` names none of ours. */
  keyFor(token: string): KeyObject | undefined {
    const kid = kidOf(token);
    return kid === undefined ? undefined : this.keys.byKid.get(kid);
  }

  /** The claims of a correctly signed token, checked for shape; 401 unauthorized otherwise. */
  claimsOf(payload: unknown): VerifiedClaims {
    const claims = Claims.safeParse(payload);
    if (!claims.success) throw new ApiError('unauthorized', 'Invalid session token');
    return { ...claims.data, secretHash: sha256Hex(claims.data.sec) };
  }
}
