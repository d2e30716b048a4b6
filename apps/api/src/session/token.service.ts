import { Inject, Injectable } from '@nestjs/common';
import jwt from 'jsonwebtoken';
import { Strategy as JwtStrategy, type StrategyOptionsWithoutRequest, type VerifiedCallback } from 'passport-jwt';
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

const unauthorized = () => new ApiError('unauthorized', 'Invalid session token');

interface TokenCarrier {
  token: string;
}

/** Signs and verifies session JWTs (HS256 with a `kid`), verification through passport-jwt. */
@Injectable()
export class TokenService {
  private readonly strategy: JwtStrategy;

  constructor(@Inject(SIGNING_KEYS) private readonly keys: SigningKeys) {
    const options: StrategyOptionsWithoutRequest = {
      jwtFromRequest: (req: TokenCarrier) => req.token,
      // Only HS256: rejects alg=none and RS/HS confusion before any key is used.
      algorithms: ['HS256'],
      secretOrKeyProvider: (_req: unknown, rawToken: string, done: (err: unknown, key?: string) => void) => {
        const header = jwt.decode(rawToken, { complete: true })?.header;
        const secret = header?.kid === undefined ? undefined : this.keys.byKid.get(header.kid);
        if (secret === undefined) done(new Error('unknown kid'));
        else done(null, secret);
      },
    };
    this.strategy = new JwtStrategy(options, (payload: unknown, done: VerifiedCallback) => done(null, payload));
  }

  sign(claims: Omit<SessionClaims, 'iat'>): string {
    const secret = this.keys.byKid.get(this.keys.current)!;
    return jwt.sign(claims, secret, { algorithm: 'HS256', keyid: this.keys.current });
  }

  /** Resolves to the claims of a correctly signed, unexpired token; rejects with an ApiError. */
  verify(token: string): Promise<SessionClaims> {
    return new Promise((resolve, reject) => {
      // Passport augments a per-request copy of the strategy with these callbacks.
      const run = Object.create(this.strategy) as JwtStrategy & {
        success(user: unknown): void;
        fail(info: unknown): void;
        error(err: unknown): void;
      };
      run.success = (payload) => {
        const claims = Claims.safeParse(payload);
        if (claims.success) resolve(claims.data);
        else reject(unauthorized());
      };
      run.fail = (info) => {
        const expired = info instanceof Error && info.name === 'TokenExpiredError';
        reject(expired ? new ApiError('token_expired', 'Session expired') : unauthorized());
      };
      run.error = () => reject(unauthorized());
      run.authenticate({ token } as never, {});
    });
  }
}
