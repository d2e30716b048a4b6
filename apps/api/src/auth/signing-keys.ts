import { createSecretKey, type KeyObject, createHmac } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import type { Config } from '../infra/config/config.js';
import { randomSecret, sha256Hex } from '../common/crypto.js';

export const SIGNING_KEYS = Symbol('SIGNING_KEYS');

export interface SigningKeys {
  /** kid of the key new tokens are signed with. */
  current: string;
  /** Every key that still verifies, prepared once at boot: kid → HMAC key. */
  byKid: Map<string, KeyObject>;
}

/** A key id that names a secret without revealing it, so keys rotate by configuration alone. */
export const keyId = (secret: string): string => sha256Hex(`tessera-kid:${secret}`).slice(0, 16);

/**
 * A key of its own for one purpose (a keyed hash of emails, say), derived from the signing secret:
 * every process with the same secret derives the same key, and a rotated secret starts new ones.
 */
export function derivedKey(keys: SigningKeys, purpose: string): Buffer {
  return createHmac('sha256', keys.byKid.get(keys.current)!).update(purpose).digest();
}

/** The keys of these secrets, the first one signing. */
export function signingKeysOf(secret: string, previousSecrets: readonly string[] = []): SigningKeys {
  const byKid = new Map<string, KeyObject>();
  for (const s of [secret, ...previousSecrets]) byKid.set(keyId(s), createSecretKey(Buffer.from(s, 'utf8')));
  return { current: keyId(secret), byKid };
}

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
  return signingKeysOf(secret, config.jwt.previousSecrets);
}
