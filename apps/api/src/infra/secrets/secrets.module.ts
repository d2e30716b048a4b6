import { Global, Module } from '@nestjs/common';
import { CONFIG, type Config } from '../config/config.js';
import { SecretBox, resolveSecretBox } from './secret-box.js';

/** The SecretBox every capability seals its secrets at rest with. */
@Global()
@Module({
  providers: [{ provide: SecretBox, inject: [CONFIG], useFactory: (config: Config) => resolveSecretBox(config) }],
  exports: [SecretBox],
})
export class SecretsModule {}
