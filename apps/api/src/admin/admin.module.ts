import { Module } from '@nestjs/common';
import { AccountModule } from '../account/account.module.js';
import { ApiKeysModule } from '../api-keys/api-keys.module.js';
import { AuditModule } from '../audit/audit.module.js';
import { CheckModule } from '../check/check.module.js';
import { DirectoryModule } from '../directory/directory.module.js';
import { MfaModule } from '../mfa/mfa.module.js';
import { SessionModule } from '../sessions/session.module.js';
import { UsersModule } from '../users/users.module.js';
import { AccessService } from './access.service.js';
import { AdminController } from './admin.controller.js';
import { BootstrapService } from './bootstrap.service.js';
import { ImpersonationService } from './impersonation.service.js';
import { UserAdminService } from './user-admin.service.js';
import { UserController } from './user.controller.js';

/** The design's admin module: user administration, impersonation, and the first admin at start. */
@Module({
  imports: [
    UsersModule,
    DirectoryModule,
    CheckModule,
    SessionModule,
    ApiKeysModule,
    AuditModule,
    AccountModule,
    MfaModule,
  ],
  controllers: [AdminController, UserController],
  providers: [AccessService, BootstrapService, ImpersonationService, UserAdminService],
  exports: [ImpersonationService, UserAdminService],
})
export class AdminModule {}
