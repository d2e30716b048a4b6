import { Injectable } from '@nestjs/common';
import { TransactionRunner } from '../infra/database/transaction-runner.js';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../auth/principal.js';
import { SessionService } from '../sessions/session.service.js';
import { PasswordService } from '../users/password.service.js';
import type { UserEntity } from '../users/user.entity.js';
import { UserService, type NewUser } from '../users/user.service.js';

/** An administrator's changes to an account: each ends the sessions it must, in the same transaction. */
@Injectable()
export class UserAdminService {
  constructor(
    private readonly db: TransactionRunner,
    private readonly users: UserService,
    private readonly passwords: PasswordService,
    private readonly sessions: SessionService,
    private readonly audit: AuditService,
  ) {}

  /** Creates a user; with a password, hashed before the transaction (argon2 takes tens of milliseconds). */
  async create(input: NewUser & { password?: string }, actor: Actor): Promise<UserEntity> {
    const passwordHash = input.password === undefined ? null : await this.passwords.hash(input.password);
    return this.db.transaction(async (tx) => {
      const user = await this.users.insert({ ...input, passwordHash }, tx);
      await this.audit.record(tx, { type: 'user.created', actor, userId: user.id, sessionId: null });
      return user;
    });
  }

  /** Disables a user and ends every session they have, in one transaction: no session outlives it. */
  disable(userId: string, actor: Actor): Promise<UserEntity> {
    return this.db.transaction(async (tx) => {
      const user = await this.users.setDisabled(userId, true, tx);
      const revoked = await this.sessions.revokeAll(userId, { manager: tx });
      await this.audit.record(tx, {
        type: 'user.disabled',
        actor,
        userId,
        sessionId: null,
        details: { revokedSessions: revoked },
      });
      return user;
    });
  }

  enable(userId: string, actor: Actor): Promise<UserEntity> {
    return this.db.transaction(async (tx) => {
      const user = await this.users.setDisabled(userId, false, tx);
      await this.audit.record(tx, { type: 'user.enabled', actor, userId, sessionId: null });
      return user;
    });
  }

  /**
   * Sets a user's email and/or password. A new password ends every session of the user, as a
   * reset would: whoever knew the old one must not stay signed in.
   */
  async update(userId: string, patch: { email?: string; password?: string }, actor: Actor): Promise<UserEntity> {
    const passwordHash = patch.password === undefined ? undefined : await this.passwords.hash(patch.password);
    return this.db.transaction(async (tx) => {
      const { user, emailChanged, passwordChanged } = await this.users.update(
        userId,
        { email: patch.email, passwordHash },
        tx,
      );
      if (emailChanged) await this.audit.record(tx, { type: 'email.changed', actor, userId, sessionId: null });
      if (passwordChanged) {
        const revoked = await this.sessions.revokeAll(userId, { manager: tx });
        await this.audit.record(tx, {
          type: 'password.changed',
          actor,
          userId,
          sessionId: null,
          details: { revokedSessions: revoked },
        });
      }
      return user;
    });
  }

  /**
   * Deletes a user. Their sessions are revoked in the same transaction (their tokens answer
   * token_revoked), so creating a user with the same id later brings none of them back.
   */
  remove(userId: string, actor: Actor): Promise<void> {
    return this.db.transaction(async (tx) => {
      await this.users.remove(userId, tx);
      const revoked = await this.sessions.revokeAll(userId, { manager: tx });
      await this.audit.record(tx, {
        type: 'user.deleted',
        actor,
        userId,
        sessionId: null,
        details: { revokedSessions: revoked },
      });
    });
  }
}
