import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AdminModule } from '../admin/admin.module.js';
import { ClientSessionModule } from '../client-sessions/client-session.module.js';
import { CheckModule } from '../check/check.module.js';
import { DirectoryModule } from '../directory/directory.module.js';
import { EntitlementsModule } from '../entitlements/entitlements.module.js';
import { UsersModule } from '../users/users.module.js';
import { WarrantDirectoryController } from './warrant-directory.controller.js';
import { WarrantController } from './warrant.controller.js';
import { WarrantFirstUseEntity } from './warrant-first-use.entity.js';
import { WarrantFirstUseRepository } from './warrant-first-use.repository.js';
import { WarrantService } from './warrant.service.js';

/** The Warrant-compatible surface under /warrant: thin routes over the same services as /v1. */
@Module({
  imports: [
    TypeOrmModule.forFeature([WarrantFirstUseEntity]),
    UsersModule,
    DirectoryModule,
    CheckModule,
    EntitlementsModule,
    AdminModule,
    ClientSessionModule,
  ],
  controllers: [WarrantDirectoryController, WarrantController],
  providers: [WarrantFirstUseRepository, WarrantService],
})
export class WarrantModule {}
