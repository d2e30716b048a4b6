import { Global, Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AccountModule } from './account/account.module.js';
import { AdminModule } from './admin/admin.module.js';
import { ApiKeysModule } from './api-keys/api-keys.module.js';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import { CheckModule } from './check/check.module.js';
import { ContemberModule } from './contember/contember.module.js';
import { ClientSessionModule } from './client-sessions/client-session.module.js';
import { DirectoryModule } from './directory/directory.module.js';
import { EntitlementsModule } from './entitlements/entitlements.module.js';
import { HealthModule } from './health/health.module.js';
import { MailModule } from './mail/mail.module.js';
import { MfaModule } from './mfa/mfa.module.js';
import { CONFIG, type Config } from './infra/config/config.js';
import { DatabaseModule } from './infra/database/database.module.js';
import { ErrorFilter } from './infra/http/error.filter.js';
import { DocsModule } from './infra/openapi/docs.module.js';
import { SecretsModule } from './infra/secrets/secrets.module.js';
import { RateLimitModule } from './rate-limit/rate-limit.module.js';
import { SessionModule } from './sessions/session.module.js';
import { UsersModule } from './users/users.module.js';
import { WarrantModule } from './warrant/warrant.module.js';
import { WebModule } from './web/web.module.js';

@Global()
@Module({})
class ConfigModule {
  static of(config: Config): DynamicModule {
    return { module: ConfigModule, providers: [{ provide: CONFIG, useValue: config }], exports: [CONFIG] };
  }
}

@Module({})
export class AppModule {
  static forRoot(config: Config): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.of(config),
        DatabaseModule.forRoot(config.database),
        SecretsModule,
        RateLimitModule,
        AuthModule,
        UsersModule,
        SessionModule,
        ApiKeysModule,
        DirectoryModule,
        EntitlementsModule,
        CheckModule,
        AdminModule,
        AuditModule,
        MailModule,
        MfaModule,
        AccountModule,
        ClientSessionModule,
        WarrantModule,
        ContemberModule,
        HealthModule,
        DocsModule,
        WebModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: ErrorFilter }],
    };
  }
}
