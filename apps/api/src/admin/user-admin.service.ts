import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../common/principal.js';
import { SessionService } from '../session/session.service.js';
import type { UserEntity } from '../tenant/user.entity.js';
import { UserService } from '../tenant/user.service.js';

/** Disabling and enabling accounts. */
@Injectable()
export class UserAdminService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UserService,
    private readonly sessions: SessionService,
    private readonly audit: AuditService,
  ) {}

  /** Disables a user and ends every session they have, in one transaction: no session outlives it. */
  disable(userId: string, actor: Actor): Promise<UserEntity> {
    return this.dataSource.transaction(async (m) => {
      const user = await this.users.setDisabled(userId, true, m);
      const revoked = await this.sessions.revokeAll(userId, { manager: m });
      await this.audit.record(m, { type: 'user.disabled', actor, userId, sessionId: null, details: { revokedSessions: revoked } });
      return user;
    });
  }

  enable(userId: string, actor: Actor): Promise<UserEntity> {
    return this.dataSource.transaction(async (m) => {
      const user = await this.users.setDisabled(userId, false, m);
      await this.audit.record(m, { type: 'user.enabled', actor, userId, sessionId: null });
      return user;
    });
  }
}
