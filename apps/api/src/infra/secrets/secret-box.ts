import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { sha256Hex } from '../../common/crypto.js';
import { encryptionKeyBytes, type Config } from '../config/config.js';

/** A key's id: names the key a sealed value needs, without revealing it. */
const keyIdOf = (key: Buffer): string => sha256Hex(`tessera-encryption-kid:${key.toString('hex')}`).slice(0, 12);

/**
 * Seals secrets kept at rest (TOTP secrets, the links of mail waiting to be sent) with AES-256-GCM.
 * A sealed value is `v1.<key id>.<iv>.<ciphertext and tag>` (base64url), bound to its `context`
 * (say `totp:<userId>`): a value copied onto another row does not open there. New values use the
 * current key; values sealed with a previous key still open, so keys rotate by configuration.
 */
export class SecretBox {
  private readonly current: string;
  private readonly keys = new Map<string, Buffer>();

  constructor(key: Buffer, previousKeys: readonly Buffer[] = []) {
    this.current = keyIdOf(key);
    for (const k of [key, ...previousKeys]) this.keys.set(keyIdOf(k), k);
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.current)!, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return ['v1', this.current, iv.toString('base64url'), body.toString('base64url')].join('.');
  }

  /** The plaintext; throws when the key is gone, the context differs or the value was tampered with. */
  open(sealed: string, context: string): string {
    const [version, kid = '', iv = '', body = ''] = sealed.split('.');
    const key = this.keys.get(kid);
    if (version !== 'v1' || key === undefined) throw new Error('sealed with an unknown key');
    const bytes = Buffer.from(body, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(bytes.subarray(bytes.length - 16));
    return Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - 16)), decipher.final()]).toString('utf8');
  }
}

/**
 * TESSERA_ENCRYPTION_KEY seals; TESSERA_ENCRYPTION_PREVIOUS_KEYS still open. Unset, a key is
 * generated once and kept in the data dir (0600), like the JWT secret: fine for one machine, but
 * every API process must share the key, and losing it loses the second factors it sealed.
 */
export function resolveSecretBox(config: Config): SecretBox {
  let key = config.encryption.key;
  if (key === undefined) {
    const file = join(config.dataDir, 'encryption-key');
    if (existsSync(file)) {
      key = encryptionKeyBytes(readFileSync(file, 'utf8').trim()) ?? undefined;
      if (key === undefined) throw new Error(`${file} does not hold a 32-byte key (64 hex digits)`);
    } else {
      mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
      key = randomBytes(32);
      writeFileSync(file, `${key.toString('hex')}\n`, { mode: 0o600 });
    }
    new Logger('SecretBox').warn(
      `TESSERA_ENCRYPTION_KEY is not set: sealing secrets with a generated key kept in ${file}. ` +
        'Set TESSERA_ENCRYPTION_KEY in production, and the same value on every API process.',
    );
  }
  return new SecretBox(key, config.encryption.previousKeys);
}
