import { Injectable } from '@nestjs/common';
import { TransactionRunner } from '../infra/database/transaction-runner.js';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../auth/principal.js';
import type { SessionEntity } from './session.entity.js';
import { SessionService } from './session.service.js';

/** Ending sessions on someone's request, each end recorded in the same transaction. */
@Injectable()
export class SignOutService {
  constructor(
    private readonly db: TransactionRunner,
    private readonly sessions: SessionService,
    private readonly audit: AuditService,
  ) {}

  /** Ends this session, or every session of its user; resolves to how many ended. */
  signOut(session: SessionEntity, all: boolean, actor: Actor): Promise<number> {
    return this.db.transaction(async (m) => {
      const revoked = all
        ? await this.sessions.revokeAll(session.userId, { manager: m })
        : (await this.sessions.revoke(session.userId, session.id, m))
          ? 1
          : 0;
      await this.audit.record(m, {
        type: 'sign_out',
        actor,
        userId: session.userId,
        sessionId: session.id,
        details: { all, revoked },
      });
      return revoked;
    });
  }

  /** Ends one session of a user; false when they have no such live session. */
  revokeOne(userId: string, sessionId: string, actor: Actor): Promise<boolean> {
    return this.db.transaction(async (m) => {
      const revoked = await this.sessions.revoke(userId, sessionId, m);
      if (revoked)
        await this.audit.record(m, { type: 'session.revoked', actor, userId, sessionId, details: { revoked: 1 } });
      return revoked;
    });
  }

  /** Ends every session of a user on an admin's request. */
  revokeAllOf(userId: string, actor: Actor): Promise<number> {
    return this.db.transaction(async (m) => {
      const revoked = await this.sessions.revokeAll(userId, { manager: m });
      await this.audit.record(m, { type: 'session.revoked', actor, userId, sessionId: null, details: { revoked } });
      return revoked;
    });
  }
}
