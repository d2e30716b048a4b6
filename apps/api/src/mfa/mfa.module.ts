import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module.js';
import { MailModule } from '../mail/mail.module.js';
import { UsersModule } from '../users/users.module.js';
import { MfaChallengeEntity } from './mfa-challenge.entity.js';
import { MfaChallengeRepository } from './mfa-challenge.repository.js';
import { MfaChallengeService } from './mfa-challenge.service.js';
import { MfaTotpEntity } from './mfa-totp.entity.js';
import { MfaService } from './mfa.service.js';
import { RecoveryCodeEntity } from './recovery-code.entity.js';
import { RecoveryCodeRepository } from './recovery-code.repository.js';
import { TotpRepository } from './totp.repository.js';

/**
 * The second factor: TOTP secrets, recovery codes, and the challenges of sign-in's second step.
 * Low-level: it knows users, not sessions (sign-in and the routes that end sessions are above it).
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([MfaTotpEntity, RecoveryCodeEntity, MfaChallengeEntity]),
    UsersModule,
    AuditModule,
    MailModule,
  ],
  providers: [MfaService, MfaChallengeService, TotpRepository, RecoveryCodeRepository, MfaChallengeRepository],
  exports: [MfaService, MfaChallengeService],
})
export class MfaModule {}
