import { Injectable } from '@nestjs/common';
import { ApiKeyService } from '../api-keys/api-key.service.js';
import { ImpersonationService } from '../admin/impersonation.service.js';
import { SessionService } from '../sessions/session.service.js';
import type { Principal } from './principal.js';
import type { VerifiedClaims } from './session-token.service.js';

/** What a strategy hands over: the claims of a session token whose signature verified, or an API key. */
export type Credential = { kind: 'session'; claims: VerifiedClaims } | { kind: 'api_key'; secret: string };

/** The one place that turns a credential into a principal. */
@Injectable()
export class AuthService {
  constructor(
    private readonly sessions: SessionService,
    private readonly apiKeys: ApiKeyService,
    private readonly impersonation: ImpersonationService,
  ) {}

  /**
   * The principal behind a credential, read from the database on every request so that a revocation
   * counts at once; 401 (unauthorized, token_expired, token_revoked) otherwise.
   */
  async authenticate(credential: Credential): Promise<Principal> {
    const readAt = Date.now();
    if (credential.kind === 'api_key') {
      return { kind: 'api_key', apiKey: await this.apiKeys.authenticate(credential.secret), readAt };
    }
    const { session, user } = await this.sessions.authenticate(credential.claims);
    // The right that started an impersonation must still hold, on every request.
    if (session.type === 'impersonation') await this.impersonation.confirm(session, user);
    return { kind: 'session', session, user, readAt };
  }
}
