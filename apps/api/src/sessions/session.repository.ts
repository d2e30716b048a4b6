import { Injectable } from '@nestjs/common';
import { IsNull } from 'typeorm';
import type { Page, SessionType } from '@tessera/dto';
// The audit log's own INSERT, so sign-in writes its event in the same statement as the session.
import { AUDIT_INSERT_SQL, auditValues, type AuditRecord } from '../audit/audit.service.js';
import { paginate, type Listing } from '../infra/database/pagination.js';
import { ms, msOrNull, sqlInsertsTogether, sqlRead, sqlWrite } from '../infra/database/sql.js';
import { TransactionRunner, type Transaction } from '../infra/database/transaction-runner.js';
import { UserEntity } from '../users/user.entity.js';
import { USER_COLUMNS, userOfRow, type UserRow } from '../users/user.service.js';
import { SessionEntity } from './session.entity.js';

/** The columns of a session, in SessionEntity's order: `valuesOf` gives them so. */
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
  'enrol_only',
];

/** Every sign-in writes one. */
const SESSION_INSERT_SQL = `INSERT INTO sessions (${SESSION_COLUMNS.join(', ')}) VALUES (${SESSION_COLUMNS.map(() => '?').join(', ')})`;

/** The session and its user in one indexed read: every authenticated request runs this. */
const AUTH_SQL =
  'SELECT s.id AS "id", s.user_id AS "sessionUserId", s.type AS "type", s.tenant_id AS "tenantId", ' +
  's.impersonator_id AS "impersonatorId", s.secret_hash AS "secretHash", s.expiration AS "expiration", ' +
  's.created_at AS "createdAt", s.last_used_at AS "lastUsedAt", s.expires_at AS "expiresAt", ' +
  's.absolute_expires_at AS "absoluteExpiresAt", s.revoked_at AS "revokedAt", s.ip AS "ip", ' +
  's.user_agent AS "userAgent", s.enrol_only AS "enrolOnly", ' +
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
  enrolOnly: boolean | number;
}

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
    enrolOnly: row.enrolOnly === true || row.enrolOnly === 1,
  };
}

/** The parameters of SESSION_INSERT_SQL. */
function valuesOf(session: SessionEntity): unknown[] {
  return [
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
    session.enrolOnly,
  ];
}

/** A session row and the user it belongs to (null when that user is gone). */
export interface SessionWithUser {
  session: SessionEntity;
  user: UserEntity | null;
}

/** The `sessions` table (and the user's `sessions_valid_after`, the cut-off every session read joins). */
@Injectable()
export class SessionRepository {
  private readonly withUserById: (id: string) => Promise<AuthRow[]>;
  private readonly insertRow: (tx: Transaction, ...values: unknown[]) => Promise<void>;
  private readonly insertWithAuditEvent: (session: unknown[], event: unknown[]) => Promise<void>;

  constructor(private readonly db: TransactionRunner) {
    // Prepared once: the read runs on every authenticated request, the inserts on every sign-in.
    this.withUserById = sqlRead<AuthRow>(db, AUTH_SQL);
    this.insertRow = sqlWrite(db, SESSION_INSERT_SQL);
    this.insertWithAuditEvent = sqlInsertsTogether(db, [SESSION_INSERT_SQL, AUDIT_INSERT_SQL]);
  }

  /** `work` in the caller's transaction, or on its own when there is none. */
  private within<T>(tx: Transaction | undefined, work: (tx: Transaction) => Promise<T>): Promise<T> {
    return tx === undefined ? this.db.run(work) : work(tx);
  }

  /** The session with this id joined with its user's row, in one statement; undefined when unknown. */
  async findWithUser(id: string): Promise<SessionWithUser | undefined> {
    const [row] = await this.withUserById(id);
    return row === undefined ? undefined : { session: sessionOfRow(row), user: userOfRow(row) };
  }

  async insert(session: SessionEntity, tx?: Transaction): Promise<void> {
    const values = valuesOf(session);
    await this.within(tx, (t) => this.insertRow(t, ...values));
  }

  /** The session and the audit event of its making: both or neither, outside any transaction. */
  insertWithEvent(session: SessionEntity, event: AuditRecord): Promise<void> {
    return this.insertWithAuditEvent(valuesOf(session), auditValues(event));
  }

  /**
   * Moves a live session's expiry forward to `expiresAt`. The WHERE clause keeps concurrent slides
   * monotonic: a slower request never shortens a session.
   */
  async slide(id: string, expiresAt: number, lastUsedAt: number): Promise<void> {
    await this.db.run((tx) =>
      tx
        .getRepository(SessionEntity)
        .createQueryBuilder()
        .update()
        .set({ expiresAt, lastUsedAt })
        .where('id = :id AND expires_at < :next AND revoked_at IS NULL', { id, next: expiresAt })
        .execute(),
    );
  }

  async recordUse(id: string, lastUsedAt: number): Promise<void> {
    await this.db.run((tx) => tx.getRepository(SessionEntity).update({ id }, { lastUsedAt }));
  }

  /** Ends one live session of a user; false when the user has no such session. */
  async revokeOne(userId: string, sessionId: string, at: number, tx?: Transaction): Promise<boolean> {
    const result = await this.within(tx, (t) =>
      t.getRepository(SessionEntity).update({ id: sessionId, userId, revokedAt: IsNull() }, { revokedAt: at }),
    );
    return (result.affected ?? 0) > 0;
  }

  /** Ends every live session of a user but `except`; resolves to how many. */
  async revokeAllOf(userId: string, at: number, except: string | undefined, tx: Transaction): Promise<number> {
    const qb = tx
      .getRepository(SessionEntity)
      .createQueryBuilder()
      .update()
      .set({ revokedAt: at })
      .where('user_id = :userId AND revoked_at IS NULL', { userId });
    if (except !== undefined) qb.andWhere('id <> :except', { except });
    const result = await qb.execute();
    return result.affected ?? 0;
  }

  /** The user's sessions may do everything again: they enrolled the second factor they were asked for. */
  async clearEnrolOnlyOf(userId: string, tx: Transaction): Promise<void> {
    await tx.getRepository(SessionEntity).update({ userId, enrolOnly: true }, { enrolOnly: false });
  }

  /** Every live impersonation a person started ends; resolves to how many. */
  async revokeImpersonationsBy(impersonatorId: string, at: number, tx?: Transaction): Promise<number> {
    const result = await this.within(tx, (t) =>
      t.getRepository(SessionEntity).update({ impersonatorId, revokedAt: IsNull() }, { revokedAt: at }),
    );
    return result.affected ?? 0;
  }

  /** A user's sessions neither revoked nor expired at `now`, newest first. */
  listLive(userId: string, now: number, query: Listing): Promise<Page<SessionEntity>> {
    return this.db.run((tx) => {
      const qb = tx
        .getRepository(SessionEntity)
        .createQueryBuilder('s')
        .where('s.userId = :userId AND s.revokedAt IS NULL AND s.expiresAt > :now', { userId, now });
      return paginate(qb, query, { order: 'DESC' });
    });
  }
}
