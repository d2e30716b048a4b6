import { Module } from '@nestjs/common';
import { CONFIG, type Config } from '../infra/config/config.js';
import { SessionTokenService } from './session-token.service.js';
import { SIGNING_KEYS, resolveSigningKeys } from './signing-keys.js';

/** The signing keys and the session token service: sessions sign with them, the auth module verifies. */
@Module({
  providers: [
    { provide: SIGNING_KEYS, inject: [CONFIG], useFactory: (config: Config) => resolveSigningKeys(config) },
    SessionTokenService,
  ],
  exports: [SIGNING_KEYS, SessionTokenService],
})
export class SessionTokenModule {}
