import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module.js';
import { SessionModule } from '../sessions/session.module.js';
import { CheckModule } from '../check/check.module.js';
import { DirectoryModule } from '../directory/directory.module.js';
import { UsersModule } from '../users/users.module.js';
import { ClientSessionController } from './client-session.controller.js';
import { ClientSessionService } from './client-session.service.js';
import { SelfServiceCodeEntity } from './self-service-code.entity.js';
import { SelfServiceCodeRepository } from './self-service-code.repository.js';
import { SelfServiceController } from './self-service.controller.js';
import { SelfServiceService } from './self-service.service.js';

/** Client sessions minted by backends (Warrant's `sess` and `ssdash`) and the self-service dashboard API. */
@Module({
  imports: [
    TypeOrmModule.forFeature([SelfServiceCodeEntity]),
    SessionModule,
    UsersModule,
    DirectoryModule,
    CheckModule,
    AuditModule,
  ],
  controllers: [ClientSessionController, SelfServiceController],
  providers: [SelfServiceCodeRepository, SelfServiceService, ClientSessionService],
  exports: [ClientSessionService],
})
export class ClientSessionModule {}
