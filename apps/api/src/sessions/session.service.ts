import { Injectable } from '@nestjs/common';
import { TransactionRunner } from '../infra/database/transaction-runner.js';
import { IsNull, type EntityManager } from 'typeorm';
import type { Page, Session, SessionType } from '@tessera/dto';
import { SessionTokenService, type VerifiedClaims } from '../auth/session-token.service.js';
import { ApiError } from '../infra/http/api-error.js';
import { randomSecret, safeEqual, sha256Hex, uuidv7 } from '../common/crypto.js';
import { paginate, type Listing } from '../infra/database/pagination.js';
import { iso } from '../infra/database/columns.js';
import { ms, msOrNull, sqlRead, sqlWrite } from '../infra/database/sql.js';
import { UserEntity } from '../users/user.entity.js';
import { USER_COLUMNS, userOfRow, type UserRow } from '../users/user.service.js';
import { SessionEntity } from './session.entity.js';

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

/** The columns of a session, in SessionEntity's order: `create` writes them so. */
const SESSION_COLUMNS = [
  'id',
  'user_id',
  'type',
  'tenant_id',
  'impersonator_id',
  'secret_hash',
  'expiration',
  'created_at',
  'last_used_at',
  'expires_at',
  'absolute_expires_at',
  'revoked_at',
  'ip',
  'user_agent',
];

/** The session and its user in one indexed read: every authenticated request runs this. */
const AUTH_SQL =
  'SELECT s.id AS "id", s.user_id AS "sessionUserId", s.type AS "type", s.tenant_id AS "tenantId", ' +
  's.impersonator_id AS "impersonatorId", s.secret_hash AS "secretHash", s.expiration AS "expiration", ' +
  's.created_at AS "createdAt", s.last_used_at AS "lastUsedAt", s.expires_at AS "expiresAt", ' +
  's.absolute_expires_at AS "absoluteExpiresAt", s.revoked_at AS "revokedAt", s.ip AS "ip", ' +
  's.user_agent AS "userAgent", ' +
  `${USER_COLUMNS} FROM sessions s LEFT JOIN users u ON u.id = s.user_id WHERE s.id = ?`;

/** A row of AUTH_SQL: BIGINT times are strings on PostgreSQL. */
interface AuthRow extends UserRow {
  id: string;
  sessionUserId: string;
  type: SessionType;
  tenantId: string | null;
  impersonatorId: string | null;
  secretHash: string;
  expiration: number | string;
  createdAt: number | string;
  lastUsedAt: number | string;
  expiresAt: number | string;
  absoluteExpiresAt: number | string;
  revokedAt: number | string | null;
  ip: string | null;
  userAgent: string | null;
}

/** Every sign-in writes one. */
export const SESSION_INSERT_SQL = `INSERT INTO sessions (${SESSION_COLUMNS.join(', ')}) VALUES (${SESSION_COLUMNS.map(() => '?').join(', ')})`;

function sessionOfRow(row: AuthRow): SessionEntity {
  return {
    id: row.id,
    userId: row.sessionUserId,
    type: row.type,
    tenantId: row.tenantId,
    impersonatorId: row.impersonatorId,
    secretHash: row.secretHash,
    expiration: Number(row.expiration),
    createdAt: ms(row.createdAt),
    lastUsedAt: ms(row.lastUsedAt),
    expiresAt: ms(row.expiresAt),
    absoluteExpiresAt: ms(row.absoluteExpiresAt),
    revokedAt: msOrNull(row.revokedAt),
    ip: row.ip,
    userAgent: row.userAgent,
  };
}

/** Sessions: creation, validation with sliding expiry, revocation. The only writer of `sessions`. */
@Injectable()
export class SessionService {
  /** The session's row joined with its user's, read on every request: a revocation counts at once. */
  private readonly authRows: (id: string) => Promise<AuthRow[]>;
  private readonly insertSession: (manager: EntityManager, ...values: unknown[]) => Promise<void>;

  constructor(
    private readonly db: TransactionRunner,
    private readonly tokens: SessionTokenService,
  ) {
    this.authRows = sqlRead<AuthRow>(db, AUTH_SQL);
    this.insertSession = sqlWrite(db, SESSION_INSERT_SQL);
  }

  private repo(manager: EntityManager = this.db.manager) {
    return manager.getRepository(SessionEntity);
  }

  async create(input: NewSession, manager?: EntityManager): Promise<{ token: string; session: SessionEntity }> {
    const issued = this.issue(input);
    await this.insertSession(manager ?? this.db.manager, ...issued.values);
    return { token: issued.token, session: issued.session };
  }

  /**
   * A new session and its token, not yet stored: `values` are the parameters of
   * SESSION_INSERT_SQL, for a caller that writes the row together with others (sign-in).
   */
  issue(input: NewSession): { token: string; session: SessionEntity; values: unknown[] } {
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
    };
    const values = [
      session.id,
      session.userId,
      session.type,
      session.tenantId,
      session.impersonatorId,
      session.secretHash,
      session.expiration,
      session.createdAt,
      session.lastUsedAt,
      session.expiresAt,
      session.absoluteExpiresAt,
      session.revokedAt,
      session.ip,
      session.userAgent,
    ];
    const token = this.tokens.sign({
      sub: session.userId,
      sid: session.id,
      typ: session.type,
      sec: secret,
      ...(session.tenantId === null ? {} : { tid: session.tenantId }),
      ...(session.impersonatorId === null ? {} : { act: { sub: session.impersonatorId } }),
      exp: Math.ceil(absoluteExpiresAt / 1000),
    });
    return { token, session, values };
  }

  /**
   * Checks a verified token's claims against its session row and slides a user session's expiry.
   * Only a correctly signed token gets here: a bad signature is `unauthorized` before anything is read.
   */
  async authenticate(claims: VerifiedClaims): Promise<Authenticated> {
    const [row] = await this.authRows(claims.sid);
    const session = row === undefined ? undefined : sessionOfRow(row);
    if (
      !session ||
      session.userId !== claims.sub ||
      session.type !== claims.typ ||
      !safeEqual(claims.secretHash, session.secretHash)
    ) {
      throw new ApiError('unauthorized', 'Invalid session token');
    }
    if (session.revokedAt !== null) throw new ApiError('token_revoked', 'Session was signed out');
    const user = userOfRow(row!);
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
    return { session, user };
  }

  /**
   * Slides expiresAt to now + expiration (capped by the absolute expiry), writing only when it would
   * move by a tenth of the window or a minute, whichever is less: a busy session costs few writes.
   * The WHERE clause makes concurrent slides monotonic: a slower request never shortens a session.
   */
  private async touch(session: SessionEntity, now: number): Promise<void> {
    if (SLIDING.has(session.type)) {
      const window = session.expiration * 1000;
      const next = Math.min(now + window, session.absoluteExpiresAt);
      if (next - session.expiresAt < Math.min(window / 10, 60_000)) return;
      await this.repo()
        .createQueryBuilder()
        .update()
        .set({ expiresAt: next, lastUsedAt: now })
        .where('id = :id AND expires_at < :next AND revoked_at IS NULL', { id: session.id, next })
        .execute();
      session.expiresAt = next;
      session.lastUsedAt = now;
    } else if (now - session.lastUsedAt >= LAST_USED_PRECISION_MS) {
      await this.repo().update({ id: session.id }, { lastUsedAt: now });
      session.lastUsedAt = now;
    }
  }

  /** Ends every live impersonation a person started; resolves to how many. */
  async revokeImpersonationsBy(impersonatorId: string, manager?: EntityManager): Promise<number> {
    const result = await this.repo(manager).update({ impersonatorId, revokedAt: IsNull() }, { revokedAt: Date.now() });
    return result.affected ?? 0;
  }

  /** Ends one session of a user; false when the user has no such live session. */
  async revoke(userId: string, sessionId: string, manager?: EntityManager): Promise<boolean> {
    const result = await this.repo(manager).update(
      { id: sessionId, userId, revokedAt: IsNull() },
      { revokedAt: Date.now() },
    );
    return (result.affected ?? 0) > 0;
  }

  /**
   * Ends every live session of a user (all four types), optionally sparing one. Without a session
   * to spare it also moves the user's `sessionsValidAfter` to now, in the same transaction, so a
   * session that a racing sign-in was inserting at this very moment is dead too.
   */
  async revokeAll(userId: string, options: { except?: string; manager?: EntityManager } = {}): Promise<number> {
    const now = Date.now();
    const manager = options.manager ?? this.db.manager;
    const qb = manager
      .getRepository(SessionEntity)
      .createQueryBuilder()
      .update()
      .set({ revokedAt: now })
      .where('user_id = :userId AND revoked_at IS NULL', { userId });
    if (options.except !== undefined) qb.andWhere('id <> :except', { except: options.except });
    const result = await qb.execute();
    if (options.except === undefined) {
      await manager.getRepository(UserEntity).update({ id: userId }, { sessionsValidAfter: now });
    }
    return result.affected ?? 0;
  }

  /** A user's live sessions (not revoked, not expired), newest first. */
  listActive(userId: string, query: Listing): Promise<Page<SessionEntity>> {
    const qb = this.repo()
      .createQueryBuilder('s')
      .where('s.userId = :userId AND s.revokedAt IS NULL AND s.expiresAt > :now', { userId, now: Date.now() });
    return paginate(qb, query, { order: 'DESC' });
  }
}
