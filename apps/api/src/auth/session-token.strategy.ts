import type { KeyObject } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { Strategy, type SecretOrKeyProvider } from 'passport-jwt';
import { AuthService } from './auth.service.js';
import { parseAuthorization } from './authorization-header.js';
import type { Principal } from './principal.js';
import { SESSION_TOKEN_ALGORITHM, SessionTokenService } from './session-token.service.js';

export const SESSION_TOKEN_STRATEGY = 'session-token';

/** The session token of a `Bearer <jwt>` header; anything else is for the API key strategy. */
function sessionTokenOf(request: FastifyRequest): string | null {
  const credential = parseAuthorization(request.headers.authorization);
  return credential?.kind === 'session' ? credential.token : null;
}

type KeyDone = (error: Error | null, key?: KeyObject) => void;
type KeyProvider = (request: FastifyRequest, token: string, done: KeyDone) => void;

/**
 * Session JWTs, verified by passport-jwt (jsonwebtoken, HS256 only) with the prepared key its `kid`
 * names; then AuthService reads the session row. A refused token fails this strategy (the guard
 * answers 401); a refused session row is an error with its own code (token_revoked, ...).
 */
@Injectable()
export class SessionTokenStrategy extends PassportStrategy(Strategy, SESSION_TOKEN_STRATEGY) {
  constructor(
    private readonly tokens: SessionTokenService,
    private readonly auth: AuthService,
  ) {
    const keyFor: KeyProvider = (_request, rawJwtToken, done) => {
      const key = tokens.keyFor(rawJwtToken);
      done(key === undefined ? new Error('No key has this kid') : null, key);
    };
    super({
      jwtFromRequest: sessionTokenOf,
      // @types/passport-jwt types the key as string | Buffer; passport-jwt hands it to jsonwebtoken,
      // which takes a KeyObject as it is (a string or Buffer it would parse on every request).
      secretOrKeyProvider: keyFor as SecretOrKeyProvider,
      algorithms: [SESSION_TOKEN_ALGORITHM],
    });
  }

  async validate(payload: unknown): Promise<Principal> {
    return this.auth.authenticate({ kind: 'session', claims: this.tokens.claimsOf(payload) });
  }
}
