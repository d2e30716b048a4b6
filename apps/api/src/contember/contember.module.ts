import { Module } from '@nestjs/common';
import { AccountModule } from '../account/account.module.js';
import { AdminModule } from '../admin/admin.module.js';
import { ApiKeysModule } from '../api-keys/api-keys.module.js';
import { DirectoryModule } from '../directory/directory.module.js';
import { MfaModule } from '../mfa/mfa.module.js';
import { SessionModule } from '../sessions/session.module.js';
import { UsersModule } from '../users/users.module.js';
import { TenantApiService } from './tenant-api.service.js';
import { TenantController } from './tenant.controller.js';

/** Contember's Tenant API at POST /tenant: GraphQL over the same services as /v1. */
@Module({
  imports: [SessionModule, AdminModule, UsersModule, ApiKeysModule, AccountModule, MfaModule, DirectoryModule],
  controllers: [TenantController],
  providers: [TenantApiService],
})
export class ContemberModule {}
