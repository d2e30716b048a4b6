import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module.js';
import { MailModule } from '../mail/mail.module.js';
import { MfaModule } from '../mfa/mfa.module.js';
import { SessionModule } from '../sessions/session.module.js';
import { UsersModule } from '../users/users.module.js';
import { AccountController } from './account.controller.js';
import { AccountService } from './account.service.js';
import { MfaController } from './mfa.controller.js';
import { UserTokenEntity } from './user-token.entity.js';
import { UserTokenRepository } from './user-token.repository.js';

/**
 * A person's own account security: password reset and email verification by mail, email change,
 * sign-up, and managing their second factor. Sign-in itself (with its second step) is the session
 * module's; the second factor's state is the mfa module's.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([UserTokenEntity]),
    UsersModule,
    SessionModule,
    MfaModule,
    MailModule,
    AuditModule,
  ],
  controllers: [AccountController, MfaController],
  providers: [AccountService, UserTokenRepository],
  exports: [AccountService],
})
export class AccountModule {}
