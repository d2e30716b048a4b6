import { Module } from '@nestjs/common';
import { CONFIG, type Config } from '../config/config.js';
import { TenantModule } from '../tenant/tenant.module.js';
import { ClientSessionController } from './client-session.controller.js';
import { SessionController } from './session.controller.js';
import { SessionService } from './session.service.js';
import { SignInService } from './sign-in.service.js';
import { resolveSigningKeys } from './signing-keys.js';
import { SIGNING_KEYS, TokenService } from './token.service.js';

@Module({
  imports: [TenantModule],
  controllers: [SessionController, ClientSessionController],
  providers: [
    { provide: SIGNING_KEYS, inject: [CONFIG], useFactory: (config: Config) => resolveSigningKeys(config) },
    TokenService,
    SessionService,
    SignInService,
  ],
  exports: [SessionService],
})
export class SessionModule {}
