import { Injectable } from '@nestjs/common';
import { TransactionRunner } from '../infra/database/transaction-runner.js';
import { Brackets, type EntityManager } from 'typeorm';
import type { AuditEvent, AuditEventQuery, AuditEventType, Page } from '@tessera/dto';
import { uuidv7 } from '../common/crypto.js';
import { paginate } from '../infra/database/pagination.js';
import type { Actor } from '../auth/principal.js';
import { iso } from '../infra/database/columns.js';
import { sqlWrite } from '../infra/database/sql.js';
import { AuditEventEntity } from './audit-event.entity.js';

export interface AuditRecord {
  type: AuditEventType;
  actor: Actor;
  /** The user the event is about. */
  userId?: string | null;
  /** The session it concerns; defaults to the actor's own session. */
  sessionId?: string | null;
  tenantId?: string | null;
  /** Small, non-secret facts (ids, counts, reasons): never a token, secret or password. */
  details?: Record<string, unknown>;
}

export function toAuditEventDto(e: AuditEventEntity): AuditEvent {
  return {
    id: e.id,
    type: e.type,
    actorUserId: e.actorUserId,
    actorApiKeyId: e.actorApiKeyId,
    userId: e.userId,
    sessionId: e.sessionId,
    tenantId: e.tenantId,
    ip: e.ip,
    userAgent: e.userAgent,
    at: iso(e.createdAt),
    details: e.details === null ? null : (JSON.parse(e.details) as Record<string, unknown>),
  };
}

/** Every sign-in and most admin actions write one. */
export const AUDIT_INSERT_SQL = `
  INSERT INTO audit_events (id, type, actor_user_id, actor_api_key_id, user_id, session_id, tenant_id, ip, user_agent, at, details)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/** The parameters of AUDIT_INSERT_SQL for an event happening now. */
export function auditValues(event: AuditRecord): unknown[] {
  return [
    uuidv7(),
    event.type,
    event.actor.userId,
    event.actor.apiKeyId,
    event.userId ?? null,
    event.sessionId === undefined ? event.actor.sessionId : event.sessionId,
    event.tenantId ?? null,
    event.actor.ip,
    event.actor.userAgent,
    Date.now(),
    event.details === undefined ? null : JSON.stringify(event.details),
  ];
}

/** The audit log: written inside the transaction of the action it records, read by admins. */
@Injectable()
export class AuditService {
  private readonly insert: (manager: EntityManager, ...values: unknown[]) => Promise<void>;

  constructor(private readonly db: TransactionRunner) {
    this.insert = sqlWrite(db, AUDIT_INSERT_SQL);
  }

  /** Records an event with the given manager, so it commits or rolls back with the action. */
  async record(manager: EntityManager, event: AuditRecord): Promise<void> {
    await this.insert(manager, ...auditValues(event));
  }

  /** Newest first; `userId` matches events whose actor or subject is that user. */
  list(query: AuditEventQuery): Promise<Page<AuditEventEntity>> {
    const qb = this.db.manager.getRepository(AuditEventEntity).createQueryBuilder('e');
    if (query.userId !== undefined) {
      qb.andWhere(
        new Brackets((w) => w.where('e.userId = :userId', { userId: query.userId }).orWhere('e.actorUserId = :userId')),
      );
    }
    if (query.type !== undefined) qb.andWhere('e.type = :type', { type: query.type });
    if (query.from !== undefined) qb.andWhere('e.createdAt >= :from', { from: Date.parse(query.from) });
    if (query.to !== undefined) qb.andWhere('e.createdAt < :to', { to: Date.parse(query.to) });
    return paginate(qb, query, { order: 'DESC' });
  }
}
