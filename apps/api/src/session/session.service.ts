import { Injectable } from '@nestjs/common';
import { DataSource, IsNull, type EntityManager } from 'typeorm';
import type { ListQuery, Page, Session, SessionType } from '@tessera/dto';
import { ApiError } from '../common/api-error.js';
import { randomSecret, safeEqual, sha256Hex, uuidv7 } from '../common/crypto.js';
import { paginate } from '../common/pagination.js';
import { iso } from '../database/columns.js';
import { UserEntity } from '../tenant/user.entity.js';
import { SessionEntity } from './session.entity.js';
import { TokenService } from './token.service.js';

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

/** Sessions: creation, validation with sliding expiry, revocation. The only writer of `sessions`. */
@Injectable()
export class SessionService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tokens: TokenService,
  ) {}

  private repo(manager: EntityManager = this.dataSource.manager) {
    return manager.getRepository(SessionEntity);
  }

  async create(input: NewSession, manager?: EntityManager): Promise<{ token: string; session: SessionEntity }> {
    const now = Date.now();
    const secret = randomSecret();
    const absoluteExpiresAt = now + input.lifetime * 1000;
    const session = this.repo(manager).create({
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
    });
    await this.repo(manager).insert(session);
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
   * Validates a token against its session row and slides a user session's expiry.
   * Order matters: a bad signature is `unauthorized` before anything is read.
   */
  async authenticate(token: string): Promise<Authenticated> {
    const claims = await this.tokens.verify(token);
    const session = await this.repo().findOneBy({ id: claims.sid });
    if (
      !session ||
      session.userId !== claims.sub ||
      session.type !== claims.typ ||
      !safeEqual(sha256Hex(claims.sec), session.secretHash)
    ) {
      throw new ApiError('unauthorized', 'Invalid session token');
    }
    if (session.revokedAt !== null) throw new ApiError('token_revoked', 'Session was signed out');
    const user = await this.dataSource.getRepository(UserEntity).findOneBy({ id: session.userId });
    if (!user || user.disabledAt !== null) throw new ApiError('token_revoked', 'Session was signed out');
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

  /** Ends one session of a user; false when the user has no such live session. */
  async revoke(userId: string, sessionId: string, manager?: EntityManager): Promise<boolean> {
    const result = await this.repo(manager).update({ id: sessionId, userId, revokedAt: IsNull() }, { revokedAt: Date.now() });
    return (result.affected ?? 0) > 0;
  }

  /** Ends every live session of a user (all four types), optionally sparing one. */
  async revokeAll(userId: string, options: { except?: string; manager?: EntityManager } = {}): Promise<number> {
    const qb = this.repo(options.manager)
      .createQueryBuilder()
      .update()
      .set({ revokedAt: Date.now() })
      .where('user_id = :userId AND revoked_at IS NULL', { userId });
    if (options.except !== undefined) qb.andWhere('id <> :except', { except: options.except });
    const result = await qb.execute();
    return result.affected ?? 0;
  }

  /** A user's live sessions (not revoked, not expired), newest first. */
  listActive(userId: string, query: ListQuery): Promise<Page<SessionEntity>> {
    const qb = this.repo()
      .createQueryBuilder('s')
      .where('s.userId = :userId AND s.revokedAt IS NULL AND s.expiresAt > :now', { userId, now: Date.now() });
    return paginate(qb, query, { order: 'DESC' });
  }
}
