import { Controller, Get } from '@nestjs/common';
import { AuditEventPage, AuditEventQuery, type AuditEvent, type Page } from '@tessera/dto';
import { Auth } from '../infra/http/auth.decorator.js';
import { Contract, ValidQuery } from '../infra/http/contract.decorator.js';
import { AuditService, toAuditEventDto } from './audit.service.js';

@Controller('v1/admin/audit-events')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @Auth('admin')
  @Contract({ summary: 'The audit log, newest first', query: AuditEventQuery, response: AuditEventPage })
  async auditEvents(@ValidQuery() query: AuditEventQuery): Promise<Page<AuditEvent>> {
    const page = await this.audit.list(query);
    return { items: page.items.map(toAuditEventDto), next: page.next };
  }
}
