import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { SessionTokenModule } from '../auth/session-token.module.js';
import { TenantModule } from '../tenant/tenant.module.js';
import { SessionController } from './session.controller.js';
import { SessionService } from './session.service.js';
import { SignInService } from './sign-in.service.js';
import { SignOutService } from './sign-out.service.js';

@Module({
  imports: [SessionTokenModule, TenantModule, AuditModule],
  controllers: [SessionController],
  providers: [SessionService, SignInService, SignOutService],
  exports: [SessionService, SignOutService],
})
export class SessionModule {}
