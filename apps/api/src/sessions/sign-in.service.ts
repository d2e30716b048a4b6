import { Inject, Injectable } from '@nestjs/common';
import { TransactionRunner } from '../infra/database/transaction-runner.js';
import type { SignInRequest } from '@tessera/dto';
import { AuditService } from '../audit/audit.service.js';
import { ApiError } from '../infra/http/api-error.js';
import { keyedHex } from '../common/crypto.js';
import { secondsWithin } from '../common/duration.js';
import type { Actor } from '../auth/principal.js';
import { SIGNING_KEYS, derivedKey, type SigningKeys } from '../auth/signing-keys.js';
import { CONFIG, type Config } from '../infra/config/config.js';
import { RateLimitService, type SignInAttempt } from '../rate-limit/rate-limit.service.js';
import { PasswordService } from '../users/password.service.js';
import { UserService } from '../users/user.service.js';
import type { UserEntity } from '../users/user.entity.js';
import { SessionRepository } from './session.repository.js';
import { SessionService, type NewSession } from './session.service.js';
import type { SessionEntity } from './session.entity.js';

const invalidCredentials = () => new ApiError('invalid_credentials', 'Invalid email or password');

/** Sign-in and password changes: the flows that check a password. */
@Injectable()
export class SignInService {
  /** Keys the hash of an unknown email in `sign_in.failed`. */
  private readonly auditKey: Buffer;

  constructor(
    private readonly users: UserService,
    private readonly passwords: PasswordService,
    private readonly sessions: SessionService,
    private readonly sessionRows: SessionRepository,
    private readonly audit: AuditService,
    private readonly db: TransactionRunner,
    private readonly limits: RateLimitService,
    @Inject(CONFIG) private readonly config: Config,
    @Inject(SIGNING_KEYS) keys: SigningKeys,
  ) {
    this.auditKey = derivedKey(keys, 'tessera audit: sign_in.failed email');
  }

  /** Seconds requested for a new session, checked against TESSERA_SESSION_MAX_EXPIRATION. */
  expiration(requested: number | undefined): number {
    return secondsWithin(
      'expiration',
      requested,
      this.config.session.defaultExpiration,
      this.config.session.maxExpiration,
    );
  }

  /**
   * Unknown email, wrong password and passwordless user all cost one argon2 verification and give
   * the same 401; a disabled account is only revealed to someone who knows its password.
   */
  async signIn(
    request: SignInRequest,
    actor: Actor,
  ): Promise<{ token: string; session: SessionEntity; user: UserEntity }> {
    const expiration = this.expiration(request.expiration);
    // Before any password work, and for unknown emails exactly as for known ones.
    const attempt = await this.limits.reserveSignIn(actor.ip ?? 'unknown', request.email);
    // Taken before the user is read: a sign-out everywhere during the password check ends this session too.
    const authorizedAt = Date.now();
    const [user, passwordOk] = await judged(attempt, async () => {
      const found = await this.users.findByEmail(request.email);
      const passwordOk = await this.passwords.verify(found?.passwordHash ?? null, request.password, attempt.clients);
      return [found, passwordOk] as const;
    });
    if (!user || !passwordOk || user.disabledAt !== null) {
      const reason = user && passwordOk ? 'user_disabled' : 'invalid_credentials';
      // A right password is no failure, even for a disabled account.
      if (reason === 'user_disabled') await attempt.release();
      // An email that matches no user is kept only as a keyed hash: it may be a password in the wrong field.
      const details = user ? { reason, email: user.email } : { reason, emailHash: this.emailHash(request.email) };
      await this.db.run((tx) =>
        this.audit.record(tx, { type: 'sign_in.failed', actor, userId: user?.id ?? null, details }),
      );
      throw reason === 'user_disabled'
        ? new ApiError('user_disabled', 'This account is disabled')
        : invalidCredentials();
    }
    const session: NewSession = {
      userId: user.id,
      type: 'user',
      expiration,
      lifetime: this.config.session.maxLifetime,
      ip: actor.ip ?? undefined,
      userAgent: actor.userAgent ?? undefined,
      authorizedAt,
    };
    await attempt.succeeded();
    const issued = this.sessions.issue(session);
    // The new session and its `sign_in.succeeded` event: both or neither.
    await this.sessionRows.insertWithEvent(issued.session, {
      type: 'sign_in.succeeded',
      actor,
      userId: user.id,
      sessionId: issued.session.id,
    });
    return { token: issued.token, session: issued.session, user };
  }

  /**
   * Sets a new password after checking the current one; ends the user's other sessions by default.
   * The check is a sign-in: limited and locked like one, and a wrong password is a `sign_in.failed`.
   */
  async changePassword(
    user: UserEntity,
    actor: Actor,
    input: { currentPassword: string; newPassword: string; revokeOtherSessions?: boolean },
  ): Promise<number> {
    const attempt = await this.confirmPassword(user, input.currentPassword, actor, 'change_password');
    const passwordHash = await this.passwords.hashNew(input.newPassword, user.email, attempt.clients);
    return this.db.transaction(async (m) => {
      await this.users.setPasswordHash(user.id, passwordHash, m);
      // Whoever knew the old password may have started sessions as this person, or acted as others.
      const revoked =
        input.revokeOtherSessions === false
          ? 0
          : (await this.sessions.revokeAll(user.id, { except: actor.sessionId ?? undefined, manager: m })) +
            (await this.sessions.revokeImpersonationsBy(user.id, m));
      await this.audit.record(m, {
        type: 'password.changed',
        actor,
        userId: user.id,
        details: { revokedSessions: revoked },
      });
      return revoked;
    });
  }

  /**
   * A signed-in person proves it is still them by typing their password (before changing their
   * password, email or second factor). It is a sign-in attempt: limited and locked like one, and a
   * wrong password is a `sign_in.failed` (via `via`) answered 403 `invalid_credentials` (not 401:
   * the session itself is fine). Returns the attempt, already counted as a success.
   */
  async confirmPassword(user: UserEntity, password: string, actor: Actor, via: string): Promise<SignInAttempt> {
    const attempt = await this.limits.reserveSignIn(actor.ip ?? 'unknown', user.email ?? `user:${user.id}`);
    const passwordOk = await judged(attempt, () => this.passwords.verify(user.passwordHash, password, attempt.clients));
    if (!passwordOk) {
      await this.db.run((tx) =>
        this.audit.record(tx, {
          type: 'sign_in.failed',
          actor,
          userId: user.id,
          details: { reason: 'invalid_credentials', via },
        }),
      );
      throw new ApiError('invalid_credentials', 'Current password is wrong', undefined, 403);
    }
    await attempt.succeeded();
    return attempt;
  }

  /** A typed email that matches no user, as the audit log keeps it: comparable, not readable. */
  private emailHash(email: string): string {
    return keyedHex(this.auditKey, email.trim().toLowerCase());
  }
}

/** Runs the password check of `attempt`; if it throws (a full queue, the database), nothing counts. */
async function judged<T>(attempt: SignInAttempt, check: () => Promise<T>): Promise<T> {
  try {
    return await check();
  } catch (error) {
    await attempt.release();
    throw error;
  }
}
