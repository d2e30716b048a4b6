import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import type { InvalidTokenReason } from '@tessera/dto';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../auth/principal.js';
import { randomSecret, sha256Hex } from '../common/crypto.js';
import { CONFIG, listeningUrl, type Config } from '../infra/config/config.js';
import { isUniqueViolation } from '../infra/database/data-source.js';
import { TransactionRunner, type Transaction } from '../infra/database/transaction-runner.js';
import { ApiError, duplicate } from '../infra/http/api-error.js';
import { MailService } from '../mail/mail.service.js';
import { RateLimitService } from '../rate-limit/rate-limit.service.js';
import { SessionService } from '../sessions/session.service.js';
import { SignInService } from '../sessions/sign-in.service.js';
import { PasswordService } from '../users/password.service.js';
import type { UserEntity } from '../users/user.entity.js';
import { UserService, normalizeEmail } from '../users/user.service.js';
import type { UserTokenEntity, UserTokenPurpose } from './user-token.entity.js';
import { UserTokenRepository } from './user-token.repository.js';

/**
 * Work a route leaves for after its answer has been sent: started then, its statements cannot delay
 * the answer, so the answer's time says nothing about what the work found.
 */
export type FollowUp = () => void;

/**
 * How long after its answer has left a follow-up starts: long enough that even on a busy machine its
 * statements do not compete for the CPU with the client still reading that answer.
 */
const FOLLOW_UP_DELAY_MS = 100;

const HOUR_MS = 3600_000;
const LIFETIME_MS: Record<UserTokenPurpose, number> = {
  password_reset: HOUR_MS,
  email_verification: 24 * HOUR_MS,
  email_change: 24 * HOUR_MS,
};
/** Mail a stranger can make Tessera send to one address: this many an hour. */
const MAILS_PER_ADDRESS_PER_HOUR = 5;

const invalidToken = (reason: InvalidTokenReason) => {
  const messages: Record<InvalidTokenReason, string> = {
    unknown: 'This link is not valid',
    used: 'This link was already used',
    expired: 'This link has expired',
    superseded: 'A newer link replaced this one',
  };
  return new ApiError('invalid_token', messages[reason], { reason });
};

/**
 * The flows that go through a person's mailbox: password reset, email verification and change,
 * sign-up. Tokens are 256-bit, sent only in a link's fragment, stored as SHA-256, single use; a newer
 * token of the same purpose replaces the older ones.
 *
 * A reset request and a sign-up answer 202 before they look the address up: the lookup, the writes
 * and the mail happen after the answer, so neither the body nor the time of the answer can say
 * whether an account exists. What is checked before answering depends only on the request (the
 * password policy, the rate limits).
 */
@Injectable()
export class AccountService implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Account');
  private readonly afterAnswer = new Set<Promise<void>>();

  constructor(
    private readonly db: TransactionRunner,
    private readonly tokens: UserTokenRepository,
    private readonly users: UserService,
    private readonly passwords: PasswordService,
    private readonly sessions: SessionService,
    private readonly signIns: SignInService,
    private readonly mail: MailService,
    private readonly audit: AuditService,
    private readonly limits: RateLimitService,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  /** Lets work begun after an answer finish before the database closes. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.afterAnswer]);
  }

  /**
   * Always 202; a known, enabled address gets a link to set a new password. Returns the work to
   * start once the answer is sent.
   */
  async requestPasswordReset(email: string, actor: Actor): Promise<FollowUp> {
    await this.limits.perIp('password-reset', actor.ip ?? 'unknown');
    await this.limits.perAddress('password-reset', email, MAILS_PER_ADDRESS_PER_HOUR, HOUR_MS);
    return this.later('password reset request', async () => {
      const user = await this.users.findByEmail(email);
      if (!user?.email || user.disabledAt !== null) return;
      const to = user.email;
      await this.db.transaction(async (tx) => {
        const token = await this.issue(tx, user, 'password_reset', to);
        await this.mail.enqueue(tx, {
          to,
          template: 'password_reset',
          data: {
            url: this.link('reset-password', token),
            expiresInMinutes: String(LIFETIME_MS.password_reset / 60_000),
          },
        });
        await this.audit.record(tx, { type: 'password_reset.requested', actor, userId: user.id, sessionId: null });
      });
    });
  }

  /**
   * Sets the new password, ends every session of the user, and mails them that it happened. A
   * password the policy refuses does not use up the token. The second factor stays: the next
   * sign-in asks for it as before.
   */
  async confirmPasswordReset(token: string, newPassword: string, actor: Actor): Promise<number> {
    await this.limits.perIp('password-reset', actor.ip ?? 'unknown');
    const found = await this.valid(token, ['password_reset']);
    const user = await this.users.getById(found.userId);
    if (user.email !== found.email) throw invalidToken('superseded');
    const passwordHash = await this.passwords.hashNew(newPassword, user.email);
    return this.db.transaction(async (tx) => {
      if (!(await this.tokens.use(tx, found.tokenHash, Date.now()))) throw invalidToken('used');
      await this.users.setPasswordHash(user.id, passwordHash, tx);
      // The link reached the address: it is the user's.
      await this.users.markEmailVerified(user.id, found.email, tx);
      const revoked =
        (await this.sessions.revokeAll(user.id, { manager: tx })) +
        (await this.sessions.revokeImpersonationsBy(user.id, tx));
      await this.mail.enqueue(tx, { to: found.email, template: 'password_changed', data: {} });
      await this.audit.record(tx, {
        type: 'password_reset.completed',
        actor,
        userId: user.id,
        sessionId: null,
        details: { revokedSessions: revoked },
      });
      return revoked;
    });
  }

  /** Mails the signed-in user a link that verifies their current address. */
  async requestVerification(user: UserEntity, actor: Actor): Promise<void> {
    if (user.email === null) throw new ApiError('invalid_request', 'This account has no email address');
    await this.limits.perAddress('verify-email', user.email, MAILS_PER_ADDRESS_PER_HOUR, HOUR_MS);
    if (user.emailVerifiedAt !== null) return;
    await this.db.transaction(async (tx) => {
      await this.sendVerification(tx, user);
      await this.audit.record(tx, { type: 'email.verification_requested', actor, userId: user.id });
    });
  }

  /** In the caller's transaction: a verification link to the user's address (sign-up, an admin's create). */
  async sendVerification(tx: Transaction, user: UserEntity): Promise<void> {
    if (user.email === null) return;
    const token = await this.issue(tx, user, 'email_verification', user.email);
    await this.mail.enqueue(tx, {
      to: user.email,
      template: 'email_verification',
      data: { url: this.link('verify-email', token), expiresInHours: String(LIFETIME_MS.email_verification / HOUR_MS) },
    });
  }

  /** A verification link: proves the address (or, for an email change, moves the account to it). */
  async verifyEmail(token: string, actor: Actor): Promise<UserEntity> {
    await this.limits.perIp('verify-email', actor.ip ?? 'unknown');
    const found = await this.valid(token, ['email_verification', 'email_change']);
    return this.db.transaction(async (tx) => {
      if (!(await this.tokens.use(tx, found.tokenHash, Date.now()))) throw invalidToken('used');
      if (found.purpose === 'email_verification') {
        const user = await this.users.markEmailVerified(found.userId, found.email, tx);
        await this.audit.record(tx, { type: 'email.verified', actor, userId: user.id, sessionId: null });
        return user;
      }
      const user = await this.users.moveToVerifiedEmail(found.userId, found.email, tx);
      await this.audit.record(tx, {
        type: 'email.changed',
        actor,
        userId: user.id,
        sessionId: null,
        details: { via: 'verification' },
      });
      await this.audit.record(tx, { type: 'email.verified', actor, userId: user.id, sessionId: null });
      return user;
    });
  }

  /**
   * A signed-in person asks to move their account to another address: their password first, then
   * a link to the new address (the change applies when it is opened) and a notice to the old one.
   */
  async requestEmailChange(user: UserEntity, password: string, newEmail: string, actor: Actor): Promise<void> {
    const email = normalizeEmail(newEmail);
    await this.signIns.confirmPassword(user, password, actor, 'change_email');
    if (email === user.email)
      throw new ApiError('invalid_request', 'This is already the account’s address', {
        fields: { newEmail: 'unchanged' },
      });
    if (await this.users.findByEmail(email)) throw duplicate('email', email);
    await this.db.transaction(async (tx) => {
      const token = await this.issue(tx, user, 'email_change', email);
      await this.mail.enqueue(tx, {
        to: email,
        template: 'email_change',
        data: { url: this.link('verify-email', token), expiresInHours: String(LIFETIME_MS.email_change / HOUR_MS) },
      });
      if (user.email !== null) {
        await this.mail.enqueue(tx, { to: user.email, template: 'email_change_notice', data: { newEmail: email } });
      }
      await this.audit.record(tx, { type: 'email.change_requested', actor, userId: user.id, sessionId: null });
    });
  }

  /**
   * Open sign-up: always 202. A new address gets an unverified account and a verification link; an
   * address that has an account gets a notice (with the way to reset its password) instead.
   */
  async signUp(email: string, password: string, actor: Actor): Promise<FollowUp> {
    if (this.config.accounts.signUp !== 'open') throw new ApiError('sign_up_closed', 'Sign-up is closed');
    await this.limits.perIp('sign-up', actor.ip ?? 'unknown');
    await this.limits.perAddress('sign-up', email, MAILS_PER_ADDRESS_PER_HOUR, HOUR_MS);
    const normalized = normalizeEmail(email);
    // The policy depends on the request only: checked before the answer, the same for every address.
    this.passwords.check(password, normalized);
    return this.later('sign-up', async () => {
      const passwordHash = await this.passwords.hash(password);
      try {
        await this.db.transaction(async (tx) => {
          const user = await this.users.insert({ email: normalized, passwordHash }, tx);
          await this.sendVerification(tx, user);
          await this.audit.record(tx, { type: 'user.signed_up', actor, userId: user.id, sessionId: null });
        });
      } catch (error) {
        if (!(error instanceof ApiError && error.code === 'duplicate_record') && !isUniqueViolation(error)) throw error;
        await this.db.transaction((tx) =>
          this.mail.enqueue(tx, {
            to: normalized,
            template: 'sign_up_existing',
            data: { resetUrl: `${this.base()}/forgot-password` },
          }),
        );
      }
    });
  }

  /** A token that may still be used for one of these purposes, or 400 `invalid_token` saying why not. */
  private async valid(token: string, purposes: UserTokenPurpose[]): Promise<UserTokenEntity> {
    const found = await this.tokens.findByHash(sha256Hex(token));
    if (!found || !purposes.includes(found.purpose)) throw invalidToken('unknown');
    if (found.usedAt !== null) throw invalidToken('used');
    if (await this.tokens.newerExists(found)) throw invalidToken('superseded');
    if (Date.now() >= found.expiresAt) throw invalidToken('expired');
    return found;
  }

  /** A new token; only its hash is kept. */
  private async issue(tx: Transaction, user: UserEntity, purpose: UserTokenPurpose, email: string): Promise<string> {
    const token = randomSecret();
    const now = Date.now();
    await this.tokens.insert(tx, {
      tokenHash: sha256Hex(token),
      userId: user.id,
      purpose,
      email,
      createdAt: now,
      expiresAt: now + LIFETIME_MS[purpose],
      usedAt: null,
    });
    return token;
  }

  /** The web app's page for a token: the token only in the fragment, which browsers never send. */
  private link(page: 'reset-password' | 'verify-email', token: string): string {
    return `${this.base()}/${page}#token=${token}`;
  }

  private base(): string {
    return this.config.publicUrl ?? listeningUrl(this.config.host, null, this.config.port);
  }

  /**
   * Work to do after the answer, started by whoever sends the answer (see `FollowUp`). Its failure
   * is logged (never with a token), never answered.
   */
  private later(what: string, work: () => Promise<void>): FollowUp {
    return () => {
      const done = new Promise<void>((resolve) => setTimeout(resolve, FOLLOW_UP_DELAY_MS))
        .then(work)
        .catch((error: unknown) => this.logger.error(`${what} failed: ${(error as Error).message}`))
        .finally(() => this.afterAnswer.delete(done));
      this.afterAnswer.add(done);
    };
  }
}
