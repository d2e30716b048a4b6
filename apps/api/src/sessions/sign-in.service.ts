import { Inject, Injectable } from '@nestjs/common';
import { TransactionRunner } from '../infra/database/transaction-runner.js';
import type { SignInMfaRequest, SignInRequest } from '@tessera/dto';
import { AuditService } from '../audit/audit.service.js';
import { ApiError } from '../infra/http/api-error.js';
import { keyedHex } from '../common/crypto.js';
import { secondsWithin } from '../common/duration.js';
import type { Actor } from '../auth/principal.js';
import { SIGNING_KEYS, derivedKey, type SigningKeys } from '../auth/signing-keys.js';
import { GrantService } from '../directory/grant.service.js';
import { CONFIG, type Config } from '../infra/config/config.js';
import { MfaChallengeService, invalidChallenge } from '../mfa/mfa-challenge.service.js';
import type { MfaChallengeEntity } from '../mfa/mfa-challenge.entity.js';
import { MfaService, invalidOtp, type SecondFactorProof } from '../mfa/mfa.service.js';
import { RateLimitService, type SignInAttempt } from '../rate-limit/rate-limit.service.js';
import { PasswordService } from '../users/password.service.js';
import { UserService } from '../users/user.service.js';
import type { UserEntity } from '../users/user.entity.js';
import { SessionRepository } from './session.repository.js';
import { SessionService, type NewSession } from './session.service.js';
import type { SessionEntity } from './session.entity.js';

const invalidCredentials = () => new ApiError('invalid_credentials', 'Invalid email or password');

/** The built-in tenant administrator role: TESSERA_REQUIRE_MFA=admin covers its holders. */
const ADMIN_ROLE = 'admin';

/** A signed-in user: the new session and its token. */
export interface SignedIn {
  mfaRequired: false;
  token: string;
  session: SessionEntity;
  user: UserEntity;
}

/** A right password for a user with a second factor and no `otp`: the challenge of the second step. */
export interface SecondStep {
  mfaRequired: true;
  challenge: string;
  expiresAt: number;
}

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
    private readonly mfa: MfaService,
    private readonly challenges: MfaChallengeService,
    private readonly grants: GrantService,
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
   * the same 401; a disabled account (or, with TESSERA_REQUIRE_VERIFIED_EMAIL, an unverified one)
   * is only revealed to someone who knows its password. A user with a second factor gets a
   * challenge instead of a session, or signs in at once with a right `otp`.
   */
  async signIn(request: SignInRequest, actor: Actor): Promise<SignedIn | SecondStep> {
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
    if (this.config.accounts.requireVerifiedEmail && user.emailVerifiedAt === null) {
      // A right password is no failure; the address must be proven before a session is given.
      await attempt.release();
      await this.db.run((tx) =>
        this.audit.record(tx, {
          type: 'sign_in.failed',
          actor,
          userId: user.id,
          details: { reason: 'email_not_verified', email: user.email },
        }),
      );
      throw new ApiError('email_not_verified', 'Verify your email address before signing in');
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
    if (user.mfaEnabled) {
      if (request.otp !== undefined) return this.withSecondFactor(attempt, user, session, { code: request.otp }, actor);
      // Neither a failure nor a success yet: the account's failures stay until the second factor is
      // right, so a right password with wrong codes still locks the account.
      await attempt.release();
      const { challenge, expiresAt } = await this.challenges.create(user.id, expiration, actor);
      return { mfaRequired: true, challenge, expiresAt };
    }
    session.enrolOnly = await judged(attempt, () => this.mustEnrol(user));
    await attempt.succeeded();
    const issued = this.sessions.issue(session);
    // The new session and its `sign_in.succeeded` event: both or neither.
    await this.sessionRows.insertWithEvent(issued.session, {
      type: 'sign_in.succeeded',
      actor,
      userId: user.id,
      sessionId: issued.session.id,
      ...(session.enrolOnly ? { details: { enrolOnly: true } } : {}),
    });
    return { mfaRequired: false, token: issued.token, session: issued.session, user };
  }

  /**
   * Sign-in's second step: the challenge and a TOTP code or a recovery code. The code is an attempt
   * on the account like a password (locked and counted alike); the session begins when the
   * challenge was given, with the expiration the sign-in asked for.
   */
  async completeWithSecondFactor(request: SignInMfaRequest, actor: Actor): Promise<SignedIn> {
    await this.limits.perIp('sign-in-mfa', actor.ip ?? 'unknown');
    const challenge = await this.challenges.open(request.challenge, actor);
    const user = await this.users.findById(challenge.userId);
    // An admin reset the second factor meanwhile: the password alone now signs in.
    if (!user || !user.mfaEnabled) throw invalidChallenge();
    const attempt = await this.limits.reserveSignIn(actor.ip ?? 'unknown', user.email ?? `user:${user.id}`);
    await judged(attempt, async () => {
      if (user.disabledAt !== null) throw new ApiError('user_disabled', 'This account is disabled');
      await this.challenges.countAttempt(challenge);
    });
    const session: NewSession = {
      userId: user.id,
      type: 'user',
      expiration: challenge.expiration,
      lifetime: this.config.session.maxLifetime,
      ip: actor.ip ?? undefined,
      userAgent: actor.userAgent ?? undefined,
      authorizedAt: challenge.createdAt,
    };
    const proof: SecondFactorProof =
      request.code !== undefined ? { code: request.code } : { recoveryCode: request.recoveryCode ?? '' };
    return this.withSecondFactor(attempt, user, session, proof, actor, challenge);
  }

  /**
   * The session for a right second factor, with `sign_in.succeeded` (and the challenge completed)
   * in one transaction. A wrong one is `mfa.failed` and 401 `invalid_otp`, and `attempt` stays
   * counted against the account lock.
   */
  private async withSecondFactor(
    attempt: SignInAttempt,
    user: UserEntity,
    input: NewSession,
    proof: SecondFactorProof,
    actor: Actor,
    challenge?: MfaChallengeEntity,
  ): Promise<SignedIn> {
    const issued = await judged(attempt, () =>
      this.db.transaction(async (tx) => {
        const method = await this.mfa.useSecondFactor(user.id, proof, actor, tx);
        if (method === null) return null;
        if (challenge) await this.challenges.complete(tx, challenge);
        const made = await this.sessions.create(input, tx);
        await this.audit.record(tx, {
          type: 'sign_in.succeeded',
          actor,
          userId: user.id,
          sessionId: made.session.id,
          details: { mfa: method },
        });
        return made;
      }),
    );
    if (issued === null) {
      await this.mfa.recordFailure(user.id, actor, challenge ? 'sign_in_mfa' : 'sign_in', proof);
      throw invalidOtp();
    }
    await attempt.succeeded();
    return { mfaRequired: false, token: issued.token, session: issued.session, user };
  }

  /**
   * Whether TESSERA_REQUIRE_MFA covers this user (who has no second factor yet): then their session
   * may only enrol one. `admin` covers super admins and holders of the built-in `admin` role,
   * globally or in any tenant.
   */
  private async mustEnrol(user: UserEntity): Promise<boolean> {
    const required = this.config.accounts.requireMfa;
    if (required === 'none') return false;
    if (required === 'all' || user.superAdmin) return true;
    if (required === 'super_admin') return false;
    const held = await this.grants.heldBy(user.id);
    return held.role.global.includes(ADMIN_ROLE) || held.role.inTenants.some((r) => r.id === ADMIN_ROLE);
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
   * the session itself is fine). Returns the attempt, already counted as a success; with
   * `codeFollows`, still counted as a failure: the caller settles it once the code that must come
   * with the password is judged (a right password does not clear failures of wrong codes).
   */
  async confirmPassword(
    user: UserEntity,
    password: string,
    actor: Actor,
    via: string,
    options: { codeFollows?: boolean } = {},
  ): Promise<SignInAttempt> {
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
    if (options.codeFollows !== true) await attempt.succeeded();
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
