import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AdminModule } from '../admin/admin.module.js';
import { ApiKeysModule } from '../api-keys/api-keys.module.js';
import { SessionModule } from '../sessions/session.module.js';
import { ApiKeyStrategy } from './api-key.strategy.js';
import { AuthGuard } from './auth.guard.js';
import { AuthService } from './auth.service.js';
import { SessionTokenModule } from './session-token.module.js';
import { SessionTokenStrategy } from './session-token.strategy.js';

/** Who is calling: the passport strategies, AuthService, and the global guard that applies @Auth. */
@Module({
  imports: [SessionTokenModule, SessionModule, ApiKeysModule, AdminModule],
  providers: [AuthService, ApiKeyStrategy, SessionTokenStrategy, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [AuthService],
})
export class AuthModule {}
