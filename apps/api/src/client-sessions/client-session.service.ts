import { Inject, Injectable } from '@nestjs/common';
import { TransactionRunner } from '../infra/database/transaction-runner.js';
import type { ClientSessionResponse, CreateClientSessionRequest } from '@tessera/dto';
import { AuditService } from '../audit/audit.service.js';
import { ApiError } from '../infra/http/api-error.js';
import { secondsWithin } from '../common/duration.js';
import type { Actor } from '../auth/principal.js';
import { CONFIG, type Config } from '../infra/config/config.js';
import { iso } from '../infra/database/columns.js';
import { SessionService } from '../sessions/session.service.js';
import { UserService } from '../users/user.service.js';
import { SelfServiceService } from './self-service.service.js';

/** Client sessions a backend mints for its apps: `sess` (authorization checks) and `ssdash` (the dashboard). */
@Injectable()
export class ClientSessionService {
  constructor(
    private readonly sessions: SessionService,
    private readonly users: UserService,
    private readonly selfService: SelfServiceService,
    private readonly audit: AuditService,
    private readonly db: TransactionRunner,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  async create(body: CreateClientSessionRequest, actor: Actor): Promise<ClientSessionResponse> {
    if (body.type === 'ssdash') {
      const { token, url, expiresAt } = await this.selfService.create(body, actor);
      return { token, url, expiresAt: iso(expiresAt) };
    }
    const ttl = secondsWithin('ttl', body.ttl, 86400, this.config.authorizationSessionMaxTtl);
    const authorizedAt = Date.now();
    const user = await this.users.getById(body.userId);
    if (user.disabledAt !== null) throw new ApiError('user_disabled', 'This account is disabled');
    // Fixed lifetime: the window and the absolute cap are both the ttl, so it never slides.
    return this.db.transaction(async (m) => {
      const { token, session } = await this.sessions.create(
        { userId: user.id, type: 'authorization', expiration: ttl, lifetime: ttl, authorizedAt },
        m,
      );
      await this.audit.record(m, {
        type: 'client_session.created',
        actor,
        userId: user.id,
        sessionId: session.id,
        details: { type: 'sess', ttl },
      });
      return { token, expiresAt: iso(session.expiresAt) };
    });
  }
}
