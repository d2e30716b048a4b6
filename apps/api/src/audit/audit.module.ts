import { Module } from '@nestjs/common';
import { AuditController } from './audit.controller.js';
import { AuditRepository, auditTables } from './audit.repository.js';
import { AuditService } from './audit.service.js';

/** The audit log: every write records an event here in its own transaction; admins read it. */
@Module({
  imports: [auditTables],
  controllers: [AuditController],
  providers: [AuditService, AuditRepository],
  exports: [AuditService],
})
export class AuditModule {}
