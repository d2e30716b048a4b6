import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { CONFIG, type Config } from '../infra/config/config.js';
import { UserService } from '../users/user.service.js';
import { ApiKeyService } from '../api-keys/api-key.service.js';

/** Creates the keys and the super admin named in the environment; safe to run on every start. */
@Injectable()
export class BootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Bootstrap');

  constructor(
    private readonly apiKeys: ApiKeyService,
    private readonly users: UserService,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { rootApiKey, loginApiKey, adminEmail, adminPassword } = this.config.bootstrap;
    if (rootApiKey) await this.apiKeys.ensureBootstrapKey('root', 'admin', rootApiKey);
    if (loginApiKey) await this.apiKeys.ensureBootstrapKey('login', 'login', loginApiKey);
    if (adminEmail && adminPassword) {
      const admin = await this.users.ensureSuperAdmin(adminEmail, adminPassword);
      this.logger.log(`super admin ${admin.email} is ready`);
    }
  }
}
