import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module.js';
import { ApiKeyController } from './api-key.controller.js';
import { ApiKeyEntity } from './api-key.entity.js';
import { ApiKeyService } from './api-key.service.js';

/** API keys for backends: created and revoked by admins, verified on every request they make. */
@Module({
  imports: [TypeOrmModule.forFeature([ApiKeyEntity]), AuditModule],
  controllers: [ApiKeyController],
  providers: [ApiKeyService],
  exports: [ApiKeyService],
})
export class ApiKeysModule {}
