import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { SessionModule } from '../session/session.module.js';
import { TenantModule } from '../tenant/tenant.module.js';
import { ClientSessionController } from './client-session.controller.js';
import { ClientSessionService } from './client-session.service.js';
import { SelfServiceController } from './self-service.controller.js';
import { SelfServiceService } from './self-service.service.js';

/** Client sessions minted by backends (Warrant's `sess` and `ssdash`) and the self-service dashboard API. */
@Module({
  imports: [SessionModule, TenantModule, AuditModule],
  controllers: [ClientSessionController, SelfServiceController],
  providers: [SelfServiceService, ClientSessionService],
  exports: [ClientSessionService],
})
export class ClientSessionModule {}
