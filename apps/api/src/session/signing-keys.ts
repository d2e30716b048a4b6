import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import type { Config } from '../config/config.js';
import { randomSecret, sha256Hex } from '../common/crypto.js';

export interface SigningKeys {
  /** kid of the key new tokens are signed with. */
  current: string;
  /** Every key that still verifies: kid → key bytes. */
  byKid: Map<string, Buffer>;
}

/** A key id that names a secret without revealing it, so keys rotate by configuration alone. */
export const keyId = (secret: string): string => sha256Hex(`tessera-kid:${secret}`).slice(0, 16);

/**
 * TESSERA_JWT_SECRET signs; TESSERA_JWT_PREVIOUS_SECRETS still verify. Without a configured secret
 * (the embedded default only) one is generated once and kept beside the SQLite file.
 */
export function resolveSigningKeys(config: Config): SigningKeys {
  let secret = config.jwt.secret;
  if (secret === undefined) {
    const file = join(config.dataDir, 'jwt-secret');
    if (existsSync(file)) {
      secret = readFileSync(file, 'utf8').trim();
    } else {
      mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
      secret = randomSecret();
      writeFileSync(file, `${secret}\n`, { mode: 0o600 });
    }
    new Logger('SigningKeys').warn(
      `TESSERA_JWT_SECRET is not set: signing with a generated key kept in ${file}. ` +
        'Set TESSERA_JWT_SECRET in production, and the same value on every API process.',
    );
  }
  const byKid = new Map<string, Buffer>();
  for (const s of [secret, ...config.jwt.previousSecrets]) byKid.set(keyId(s), Buffer.from(s, 'utf8'));
  return { current: keyId(secret), byKid };
}
