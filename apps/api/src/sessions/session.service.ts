import { Injectable } from '@nestjs/common';
import type { Page, Session, SessionType } from '@tessera/dto';
import { SessionTokenService, type VerifiedClaims } from '../auth/session-token.service.js';
import { ApiError } from '../infra/http/api-error.js';
import { randomSecret, safeEqual, sha256Hex, uuidv7 } from '../common/crypto.js';
import type { Listing } from '../infra/database/pagination.js';
import { iso } from '../infra/database/columns.js';
import { TransactionRunner, type Transaction } from '../infra/database/transaction-runner.js';
import type { UserEntity } from '../users/user.entity.js';
import { UserService } from '../users/user.service.js';
import type { SessionEntity } from './session.entity.js';
import { SessionRepository } from './session.repository.js';

/** User and impersonation sessions slide; client sessions have a fixed ttl. */
const SLIDING: ReadonlySet<SessionType> = new Set(['user', 'impersonation']);
/** Last-use time of a non-sliding session is written at most this often. */
const LAST_USED_PRECISION_MS = 60_000;

export interface NewSession {
  userId: string;
  type: SessionType;
  /** Seconds: the sliding window, or the fixed ttl of a client session. */
  expiration: number;
  /** Seconds from now after which the session ends whatever its use. */
  lifetime: number;
  tenantId?: string;
  impersonatorId?: string;
  ip?: string;
  userAgent?: string;
  /**
   * When the state that allowed the session was read (the user row before the password check, the
   * caller's principal, a link code's minting); its `createdAt`. A sign-out everywhere, a delete
   * or a password reset made after that moment ends the session, however long the check took.
   */
  authorizedAt?: number;
  /** The user must enrol a second factor first (TESSERA_REQUIRE_MFA): this session may only do that. */
  enrolOnly?: boolean;
}

export interface Authenticated {
  session: SessionEntity;
  user: UserEntity;
}

export function toSessionDto(session: SessionEntity, currentId?: string): Session {
  return {
    id: session.id,
    type: session.type,
    userId: session.userId,
    tenantId: session.tenantId,
    impersonatorId: session.impersonatorId,
    createdAt: iso(session.createdAt),
    lastUsedAt: iso(session.lastUsedAt),
    expiresAt: iso(session.expiresAt),
    absoluteExpiresAt: iso(session.absoluteExpiresAt),
    expiration: session.expiration,
    ip: session.ip,
    userAgent: session.userAgent,
    current: session.id === currentId,
  };
}

/** Sessions: creation, validation with sliding expiry, revocation; SessionRepository stores them. */
@Injectable()
export class SessionService {
  constructor(
    private readonly db: TransactionRunner,
    private readonly rows: SessionRepository,
    private readonly tokens: SessionTokenService,
    private readonly users: UserService,
  ) {}

  async create(input: NewSession, manager?: Transaction): Promise<{ token: string; session: SessionEntity }> {
    const issued = this.issue(input);
    await this.rows.insert(issued.session, manager);
    return issued;
  }

  /** A new session and its token, not yet stored: sign-in stores it together with its audit event. */
  issue(input: NewSession): { token: string; session: SessionEntity } {
    // The session begins when it was authorized (see NewSession.authorizedAt), not when it is stored.
    const clock = Date.now();
    const now = Math.min(input.authorizedAt ?? clock, clock);
    const secret = randomSecret();
    const absoluteExpiresAt = now + input.lifetime * 1000;
    const session: SessionEntity = {
      id: uuidv7(),
      userId: input.userId,
      type: input.type,
      tenantId: input.tenantId ?? null,
      impersonatorId: input.impersonatorId ?? null,
      secretHash: sha256Hex(secret),
      expiration: input.expiration,
      createdAt: now,
      lastUsedAt: now,
      expiresAt: Math.min(now + input.expiration * 1000, absoluteExpiresAt),
      absoluteExpiresAt,
      revokedAt: null,
      ip: input.ip ?? null,
      userAgent: input.userAgent ?? null,
      enrolOnly: input.enrolOnly ?? false,
    };
    const token = this.tokens.sign({
      sub: session.userId,
      sid: session.id,
      typ: session.type,
      sec: secret,
      ...(session.tenantId === null ? {} : { tid: session.tenantId }),
      ...(session.impersonatorId === null ? {} : { act: { sub: session.impersonatorId } }),
      exp: Math.ceil(absoluteExpiresAt / 1000),
    });
    return { token, session };
  }

  /**
   * Checks a verified token's claims against its session row and slides a user session's expiry.
   * Only a correctly signed token gets here: a bad signature is `unauthorized` before anything is read.
   */
  async authenticate(claims: VerifiedClaims): Promise<Authenticated> {
    // The session's row joined with its user's, read on every request: a revocation counts at once.
    const found = await this.rows.findWithUser(claims.sid);
    const session = found?.session;
    if (
      !session ||
      session.userId !== claims.sub ||
      session.type !== claims.typ ||
      !safeEqual(claims.secretHash, session.secretHash)
    ) {
      throw new ApiError('unauthorized', 'Invalid session token');
    }
    if (session.revokedAt !== null) throw new ApiError('token_revoked', 'Session was signed out');
    const user = found.user;
    // A user created after the session is another person who was given a deleted user's id.
    if (
      !user ||
      user.disabledAt !== null ||
      user.createdAt > session.createdAt ||
      (user.sessionsValidAfter !== null && session.createdAt <= user.sessionsValidAfter)
    ) {
      throw new ApiError('token_revoked', 'Session was signed out');
    }
    const now = Date.now();
    if (now >= session.expiresAt) throw new ApiError('token_expired', 'Session expired');
    await this.touch(session, now);
    // The pair as read, its user now known to be there: no copy on the path every request takes.
    return found as Authenticated;
  }

  /**
   * Slides expiresAt to now + expiration (capped by the absolute expiry), writing only when it would
   * move by a tenth of the window or a minute, whichever is less: a busy session costs few writes.
   */
  private async touch(session: SessionEntity, now: number): Promise<void> {
    if (SLIDING.has(session.type)) {
      const window = session.expiration * 1000;
      const next = Math.min(now + window, session.absoluteExpiresAt);
      if (next - session.expiresAt < Math.min(window / 10, 60_000)) return;
      await this.rows.slide(session.id, next, now);
      session.expiresAt = next;
      session.lastUsedAt = now;
    } else if (now - session.lastUsedAt >= LAST_USED_PRECISION_MS) {
      await this.rows.recordUse(session.id, now);
      session.lastUsedAt = now;
    }
  }

  /** Ends every live impersonation a person started; resolves to how many. */
  revokeImpersonationsBy(impersonatorId: string, manager?: Transaction): Promise<number> {
    return this.rows.revokeImpersonationsBy(impersonatorId, Date.now(), manager);
  }

  /** Ends one session of a user; false when the user has no such live session. */
  revoke(userId: string, sessionId: string, manager?: Transaction): Promise<boolean> {
    return this.rows.revokeOne(userId, sessionId, Date.now(), manager);
  }

  /**
   * Ends every live session of a user (all four types), optionally sparing one. Without a session
   * to spare it also moves the user's `sessionsValidAfter` to now, in the same transaction, so a
   * session that a racing sign-in was inserting at this very moment is dead too.
   */
  async revokeAll(userId: string, options: { except?: string; manager?: Transaction } = {}): Promise<number> {
    const { except, manager } = options;
    // Both writes or neither, in the caller's transaction or in one of their own.
    if (manager === undefined) return this.db.transaction((tx) => this.revokeAll(userId, { except, manager: tx }));
    const now = Date.now();
    const revoked = await this.rows.revokeAllOf(userId, now, except, manager);
    if (except === undefined) await this.users.setSessionsValidAfter(userId, now, manager);
    return revoked;
  }

  /** Lifts the enrol-only restriction (TESSERA_REQUIRE_MFA) from the user's sessions, in the enrolment's transaction. */
  endEnrolment(userId: string, tx: Transaction): Promise<void> {
    return this.rows.clearEnrolOnlyOf(userId, tx);
  }

  /** A user's live sessions (not revoked, not expired), newest first. */
  listActive(userId: string, query: Listing): Promise<Page<SessionEntity>> {
    return this.rows.listLive(userId, Date.now(), query);
  }
}
