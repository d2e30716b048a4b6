import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { Strategy } from 'passport-custom';
import { AuthService } from './auth.service.js';
import { parseAuthorization } from './authorization-header.js';
import type { Principal } from './principal.js';

export const API_KEY_STRATEGY = 'api-key';

/**
 * API keys: `ApiKey <key>`, or a `Bearer` value that is not a JWT. A session token is passed on
 * (null) to the session-token strategy.
 */
@Injectable()
export class ApiKeyStrategy extends PassportStrategy(Strategy, API_KEY_STRATEGY) {
  constructor(private readonly auth: AuthService) {
    super();
  }

  async validate(request: FastifyRequest): Promise<Principal | null> {
    const credential = parseAuthorization(request.headers.authorization);
    if (credential?.kind !== 'api_key') return null;
    return this.auth.authenticate(credential);
  }
}
