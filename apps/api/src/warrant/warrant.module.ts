import { Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module.js';
import { ClientSessionModule } from '../client-session/client-session.module.js';
import { TenantModule } from '../tenant/tenant.module.js';
import { WarrantDirectoryController } from './warrant-directory.controller.js';
import { WarrantController } from './warrant.controller.js';
import { WarrantService } from './warrant.service.js';

/** The Warrant-compatible surface under /warrant: thin routes over the same services as /v1. */
@Module({
  imports: [TenantModule, AdminModule, ClientSessionModule],
  controllers: [WarrantDirectoryController, WarrantController],
  providers: [WarrantService],
})
export class WarrantModule {}
