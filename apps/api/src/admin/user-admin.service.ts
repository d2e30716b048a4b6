import { Injectable } from '@nestjs/common';
import { TransactionRunner } from '../infra/database/transaction-runner.js';
import { AccountService } from '../account/account.service.js';
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
    private readonly accounts: AccountService,
  ) {}

  /** Creates a user; with a password, hashed before the transaction (argon2 takes tens of milliseconds). */
  async create(
    input: NewUser & { password?: string; sendVerificationEmail?: boolean },
    actor: Actor,
  ): Promise<UserEntity> {
    const passwordHash =
      input.password === undefined ? null : await this.passwords.hashNew(input.password, input.email);
    return this.db.transaction(async (tx) => {
      const user = await this.users.insert({ ...input, passwordHash }, tx);
      await this.audit.record(tx, { type: 'user.created', actor, userId: user.id, sessionId: null });
      if (input.sendVerificationEmail === true && user.emailVerifiedAt === null) {
        await this.accounts.sendVerification(tx, user);
      }
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
    // The policy compares with the address the user will have: the new one, or the one they keep.
    const email = patch.email ?? (patch.password === undefined ? undefined : (await this.users.getById(userId)).email);
    const passwordHash = patch.password === undefined ? undefined : await this.passwords.hashNew(patch.password, email);
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
