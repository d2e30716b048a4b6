import { Injectable } from '@nestjs/common';
import { Brackets } from 'typeorm';
import type { AuditEventQuery, Page } from '@tessera/dto';
import { uuidv7 } from '../common/crypto.js';
import { paginate } from '../infra/database/pagination.js';
import { sqlWrite } from '../infra/database/sql.js';
import { TransactionRunner, type Transaction } from '../infra/database/transaction-runner.js';
import { AuditEventEntity } from './audit-event.entity.js';
import type { AuditRecord } from './audit.service.js';

/** The audit_events table, for AuditModule's imports: TypeORM knows only the entities a module registers. */
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

/** The audit_events table: one hand-written insert per recorded action, and the admins' filtered list. */
@Injectable()
export class AuditRepository {
  private readonly insert: (tx: Transaction, ...values: unknown[]) => Promise<void>;

  constructor(private readonly db: TransactionRunner) {
    this.insert = sqlWrite(db, AUDIT_INSERT_SQL);
  }

  /** Inserts the event in `tx`, so it commits or rolls back with the action it records. */
  async record(tx: Transaction, event: AuditRecord): Promise<void> {
    await this.insert(tx, ...auditValues(event));
  }

  /** Newest first; `userId` matches events whose actor or subject is that user. */
  list(query: AuditEventQuery): Promise<Page<AuditEventEntity>> {
    return this.db.run((m) => {
      const qb = m.getRepository(AuditEventEntity).createQueryBuilder('e');
      if (query.userId !== undefined) {
        qb.andWhere(
          new Brackets((w) =>
            w.where('e.userId = :userId', { userId: query.userId }).orWhere('e.actorUserId = :userId'),
          ),
        );
      }
      if (query.type !== undefined) qb.andWhere('e.type = :type', { type: query.type });
      if (query.from !== undefined) qb.andWhere('e.createdAt >= :from', { from: Date.parse(query.from) });
      if (query.to !== undefined) qb.andWhere('e.createdAt < :to', { to: Date.parse(query.to) });
      return paginate(qb, query, { order: 'DESC' });
    });
  }
}
