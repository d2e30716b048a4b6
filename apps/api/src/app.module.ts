import { Global, Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AdminModule } from './admin/admin.module.js';
import { AuthModule } from './auth/auth.module.js';
import { ClientSessionModule } from './client-session/client-session.module.js';
import { ErrorFilter } from './common/error.filter.js';
import { CONFIG, type Config } from './config/config.js';
import { DatabaseModule } from './database/database.module.js';
import { DocsController } from './docs/docs.controller.js';
import { HealthController } from './health/health.controller.js';
import { RateLimitModule } from './rate-limit/rate-limit.module.js';
import { SessionModule } from './session/session.module.js';
import { TenantModule } from './tenant/tenant.module.js';
import { WarrantModule } from './warrant/warrant.module.js';
import { WebController } from './web/web.controller.js';

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
        DatabaseModule,
        RateLimitModule,
        AuthModule,
        TenantModule,
        SessionModule,
        AdminModule,
        ClientSessionModule,
        WarrantModule,
      ],
      controllers: [HealthController, DocsController, WebController],
      providers: [{ provide: APP_FILTER, useClass: ErrorFilter }],
    };
  }
}
