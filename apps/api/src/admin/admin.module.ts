import { Module } from '@nestjs/common';
import { TenantModule } from '../tenant/tenant.module.js';
import { ApiKeyService } from './api-key.service.js';
import { BootstrapService } from './bootstrap.service.js';

@Module({
  imports: [TenantModule],
  providers: [ApiKeyService, BootstrapService],
  exports: [ApiKeyService],
})
export class AdminModule {}
