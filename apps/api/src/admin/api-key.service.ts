import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { ApiKey, Page } from '@tessera/dto';
import { ApiError, notFound } from '../common/api-error.js';
import { randomSecret, safeEqual, sha256Hex } from '../common/crypto.js';
import { paginate, type Listing } from '../common/pagination.js';
import { iso, isoOrNull } from '../database/columns.js';
import { ms, msOrNull, preparedColumns } from '../database/prepared.js';
import { readUntilWritten } from '../database/write-generation.js';
import { ApiKeyEntity, type ApiKeyRole } from './api-key.entity.js';

const LAST_USED_PRECISION_MS = 60_000;
/** Keys remembered between requests, per generation of the BoundedCache (so up to twice as many). */
const KNOWN_KEYS = 1000;
/** Prefix secret scanners can spot. */
export const API_KEY_PREFIX = 'tsk_';

export function toApiKeyDto(key: ApiKeyEntity): ApiKey {
  return {
    id: key.id,
    name: key.name,
    roles: [key.role],
    createdAt: iso(key.createdAt),
    lastUsedAt: isoOrNull(key.lastUsedAt),
    expiresAt: isoOrNull(key.expiresAt),
    revokedAt: isoOrNull(key.revokedAt),
  };
}

/** The columns of a key, in the order `keyOf` reads them. */
const KEY_COLUMNS = ['id', 'name', 'role', 'secret_hash', 'bootstrap', 'created_at', 'last_used_at', 'expires_at', 'revoked_at'];

function keyOf(v: readonly unknown[]): ApiKeyEntity {
  return {
    id: v[0] as string,
    name: v[1] as string,
    role: v[2] as ApiKeyRole,
    secretHash: v[3] as string,
    bootstrap: (v[4] as string | null) ?? null,
    createdAt: ms(v[5]),
    lastUsedAt: msOrNull(v[6]),
    expiresAt: msOrNull(v[7]),
    revokedAt: msOrNull(v[8]),
  };
}

/** API keys: the only place that reads or writes `api_keys`. */
@Injectable()
export class ApiKeyService {
  /**
   * Every request made with a key runs this: a prepared statement, no query building, and on
   * exclusive SQLite remembered until the next write (a revocation is one).
   */
  private readonly byHash: (hash: string) => Promise<ApiKeyEntity | undefined>;

  constructor(private readonly dataSource: DataSource) {
    const read = preparedColumns(dataSource, 'api_key_auth', KEY_COLUMNS, 'FROM api_keys WHERE secret_hash = ?');
    this.byHash = readUntilWritten(dataSource, KNOWN_KEYS, async (hash: string) => {
      const [row] = await read(hash);
      return row === undefined ? undefined : keyOf(row);
    });
  }

  private get repo() {
    return this.dataSource.getRepository(ApiKeyEntity);
  }

  /**
   * The key for a presented secret, or 401 unauthorized (unknown, revoked or expired alike). On
   * exclusive SQLite a key read before the last write to the database is still what the database
   * holds, so it is not read again: a revocation is a write, and the next request reads the key
   * afresh. Unknown secrets are never remembered.
   */
  async authenticate(secret: string): Promise<ApiKeyEntity> {
    const hash = sha256Hex(secret);
    const key = await this.byHash(hash);
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
      await this.repo.update({ id: key.id }, { lastUsedAt: now });
      // A copy: the remembered key is shared with other requests.
      return { ...key, lastUsedAt: now };
    }
    return key;
  }

  /** A new key; its secret exists only in the return value, the database keeps its SHA-256. */
  async create(input: { name: string; role: ApiKeyRole; expiresAt?: number }, manager: EntityManager): Promise<{ key: ApiKeyEntity; secret: string }> {
    if (input.expiresAt !== undefined && input.expiresAt <= Date.now()) {
      throw new ApiError('invalid_request', 'The request is not valid', { fields: { expiresAt: 'must be in the future' } });
    }
    const secret = `${API_KEY_PREFIX}${randomSecret()}`;
    const key: ApiKeyEntity = {
      id: randomUUID(),
      name: input.name,
      role: input.role,
      secretHash: sha256Hex(secret),
      bootstrap: null,
      createdAt: Date.now(),
      lastUsedAt: null,
      expiresAt: input.expiresAt ?? null,
      revokedAt: null,
    };
    await manager.getRepository(ApiKeyEntity).insert(key);
    return { key, secret };
  }

  list(query: Listing): Promise<Page<ApiKeyEntity>> {
    return paginate(this.repo.createQueryBuilder('k'), query);
  }

  /** Revokes a key, effective on its next request. Idempotent for a known key; 404 for an unknown one. */
  async revoke(id: string, manager: EntityManager): Promise<ApiKeyEntity> {
    const key = await manager.getRepository(ApiKeyEntity).findOneBy({ id });
    if (!key) throw notFound('api_key', id);
    if (key.revokedAt === null) {
      key.revokedAt = Date.now();
      await manager.getRepository(ApiKeyEntity).update({ id }, { revokedAt: key.revokedAt });
    }
    return key;
  }

  /** Whether a key may still act as an admin: known, not revoked, not expired. */
  async isLiveAdminKey(id: string): Promise<boolean> {
    const key = await this.repo.findOneBy({ id });
    return key !== null && key.role === 'admin' && key.revokedAt === null && (key.expiresAt === null || key.expiresAt > Date.now());
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
