import { Module } from '@nestjs/common';
import { CONFIG, type Config } from '../config/config.js';
import { AuditModule } from '../audit/audit.module.js';
import { TenantModule } from '../tenant/tenant.module.js';
import { SessionController } from './session.controller.js';
import { SessionService } from './session.service.js';
import { SignInService } from './sign-in.service.js';
import { SignOutService } from './sign-out.service.js';
import { resolveSigningKeys } from './signing-keys.js';
import { SIGNING_KEYS, TokenService } from './token.service.js';

@Module({
  imports: [TenantModule, AuditModule],
  controllers: [SessionController],
  providers: [
    { provide: SIGNING_KEYS, inject: [CONFIG], useFactory: (config: Config) => resolveSigningKeys(config) },
    TokenService,
    SessionService,
    SignInService,
    SignOutService,
  ],
  exports: [SessionService, SignOutService],
})
export class SessionModule {}
