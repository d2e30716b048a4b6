import { Injectable } from '@nestjs/common';
import type { AuditEvent, AuditEventQuery, AuditEventType, Page } from '@tessera/dto';
import type { Actor } from '../auth/principal.js';
import { iso } from '../infra/database/columns.js';
import type { Transaction } from '../infra/database/transaction-runner.js';
import type { AuditEventEntity } from './audit-event.entity.js';
import { AuditRepository } from './audit.repository.js';

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

// Sign-in writes its session and its audit event as one statement (sessions/sign-in.service.ts).
export { AUDIT_INSERT_SQL, auditValues } from './audit.repository.js';

/** The audit log: written inside the transaction of the action it records, read by admins. */
@Injectable()
export class AuditService {
  constructor(private readonly events: AuditRepository) {}

  /** Records an event in the given transaction, so it commits or rolls back with the action. */
  record(tx: Transaction, event: AuditRecord): Promise<void> {
    return this.events.record(tx, event);
  }

  /** Newest first; `userId` matches events whose actor or subject is that user. */
  list(query: AuditEventQuery): Promise<Page<AuditEventEntity>> {
    return this.events.list(query);
  }
}
