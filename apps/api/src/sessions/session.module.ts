import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SessionEntity } from './session.entity.js';
import { AuditModule } from '../audit/audit.module.js';
import { SessionTokenModule } from '../auth/session-token.module.js';
import { DirectoryModule } from '../directory/directory.module.js';
import { MfaModule } from '../mfa/mfa.module.js';
import { UsersModule } from '../users/users.module.js';
import { SessionController } from './session.controller.js';
import { SessionRepository } from './session.repository.js';
import { SessionService } from './session.service.js';
import { SignInService } from './sign-in.service.js';
import { SignOutService } from './sign-out.service.js';

@Module({
  imports: [
    TypeOrmModule.forFeature([SessionEntity]),
    SessionTokenModule,
    UsersModule,
    AuditModule,
    // Sign-in's second factor, and whom TESSERA_REQUIRE_MFA=admin covers.
    MfaModule,
    DirectoryModule,
  ],
  controllers: [SessionController],
  providers: [SessionRepository, SessionService, SignInService, SignOutService],
  exports: [SessionService, SignOutService, SignInService],
})
export class SessionModule {}
