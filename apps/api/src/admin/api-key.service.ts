import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ApiError } from '../common/api-error.js';
import { safeEqual, sha256Hex } from '../common/crypto.js';
import { ApiKeyEntity, type ApiKeyRole } from './api-key.entity.js';

const LAST_USED_PRECISION_MS = 60_000;

/** API keys: the only place that reads or writes `api_keys`. */
@Injectable()
export class ApiKeyService {
  constructor(private readonly dataSource: DataSource) {}

  private get repo() {
    return this.dataSource.getRepository(ApiKeyEntity);
  }

  /** The key for a presented secret, or 401 unauthorized (unknown, revoked or expired alike). */
  async authenticate(secret: string): Promise<ApiKeyEntity> {
    const hash = sha256Hex(secret);
    const key = await this.repo.findOneBy({ secretHash: hash });
    const now = Date.now();
    if (
      !key ||
      !safeEqual(key.secretHash, hash) ||
      key.revokedAt !== null ||
      (key.expiresAt !== null && key.expiresAt <= now)
    ) {
      throw new ApiError('unauthorized', 'Invalid API key');
    }
    if (key.lastUsedAt === null || now - key.lastUsedAt >= LAST_USED_PRECISION_MS) {
      key.lastUsedAt = now;
      await this.repo.update({ id: key.id }, { lastUsedAt: now });
    }
    return key;
  }

  /** Makes sure the key named `bootstrap` has exactly this secret (idempotent across restarts and processes). */
  async ensureBootstrapKey(bootstrap: 'root' | 'login', role: ApiKeyRole, secret: string): Promise<void> {
    const secretHash = sha256Hex(secret);
    const existing = await this.repo.findOneBy({ bootstrap });
    if (existing) {
      if (existing.secretHash !== secretHash || existing.revokedAt !== null || existing.role !== role) {
        await this.repo.update({ id: existing.id }, { secretHash, role, revokedAt: null });
      }
      return;
    }
    await this.repo
      .createQueryBuilder()
      .insert()
      .values({
        id: randomUUID(),
        name: `${bootstrap} key (from the environment)`,
        role,
        secretHash,
        bootstrap,
        createdAt: Date.now(),
        lastUsedAt: null,
        expiresAt: null,
        revokedAt: null,
      })
      .orIgnore()
      .execute();
  }
}
