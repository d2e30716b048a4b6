import { Module } from '@nestjs/common';
import { AuditService } from './audit.service.js';

/** The audit log has no dependencies of its own, so every module may record into it. */
@Module({ providers: [AuditService], exports: [AuditService] })
export class AuditModule {}
