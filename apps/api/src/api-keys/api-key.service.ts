import { randomUUID } from 'node:crypto';
import { TransactionRunner } from '../infra/database/transaction-runner.js';
import { Injectable, Logger } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import type { ApiKey, Page } from '@tessera/dto';
import { ApiError, notFound } from '../infra/http/api-error.js';
import { randomSecret, safeEqual, sha256Hex } from '../common/crypto.js';
import { paginate, type Listing } from '../infra/database/pagination.js';
import { iso, isoOrNull } from '../infra/database/columns.js';
import { ms, msOrNull, sqlRead } from '../infra/database/sql.js';
import { ApiKeyEntity, type ApiKeyRole } from './api-key.entity.js';

const LAST_USED_PRECISION_MS = 60_000;
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

/** The key with a secret's hash: every request made with a key runs this. */
const KEY_BY_HASH_SQL =
  'SELECT id AS "id", name AS "name", role AS "role", secret_hash AS "secretHash", bootstrap AS "bootstrap", ' +
  'created_at AS "createdAt", last_used_at AS "lastUsedAt", expires_at AS "expiresAt", revoked_at AS "revokedAt" ' +
  'FROM api_keys WHERE secret_hash = ?';

/** A row of KEY_BY_HASH_SQL: BIGINT times are strings on PostgreSQL. */
interface KeyRow {
  id: string;
  name: string;
  role: ApiKeyRole;
  secretHash: string;
  bootstrap: string | null;
  createdAt: number | string;
  lastUsedAt: number | string | null;
  expiresAt: number | string | null;
  revokedAt: number | string | null;
}

function keyOf(row: KeyRow): ApiKeyEntity {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    secretHash: row.secretHash,
    bootstrap: row.bootstrap,
    createdAt: ms(row.createdAt),
    lastUsedAt: msOrNull(row.lastUsedAt),
    expiresAt: msOrNull(row.expiresAt),
    revokedAt: msOrNull(row.revokedAt),
  };
}

/** API keys: the only place that reads or writes `api_keys`. */
@Injectable()
export class ApiKeyService {
  private readonly logger = new Logger('ApiKeys');
  private readonly byHash: (hash: string) => Promise<KeyRow[]>;

  constructor(private readonly db: TransactionRunner) {
    this.byHash = sqlRead<KeyRow>(db, KEY_BY_HASH_SQL);
  }

  private get repo() {
    return this.db.manager.getRepository(ApiKeyEntity);
  }

  /**
   * The key for a presented secret, or 401 unauthorized (unknown, revoked or expired alike). Read on
   * every request: a revocation counts at once, on every process.
   */
  async authenticate(secret: string): Promise<ApiKeyEntity> {
    const hash = sha256Hex(secret);
    const [row] = await this.byHash(hash);
    const key = row === undefined ? undefined : keyOf(row);
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
      key.lastUsedAt = now;
    }
    return key;
  }

  /** A new key; its secret exists only in the return value, the database keeps its SHA-256. */
  async create(
    input: { name: string; role: ApiKeyRole; expiresAt?: number },
    manager: EntityManager,
  ): Promise<{ key: ApiKeyEntity; secret: string }> {
    if (input.expiresAt !== undefined && input.expiresAt <= Date.now()) {
      throw new ApiError('invalid_request', 'The request is not valid', {
        fields: { expiresAt: 'must be in the future' },
      });
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
    return (
      key !== null &&
      key.role === 'admin' &&
      key.revokedAt === null &&
      (key.expiresAt === null || key.expiresAt > Date.now())
    );
  }

  /** Makes sure the key named `bootstrap` has exactly this secret (idempotent across restarts and processes). */
  async ensureBootstrapKey(bootstrap: 'root' | 'login', role: ApiKeyRole, secret: string): Promise<void> {
    const secretHash = sha256Hex(secret);
    await this.db.transaction(async (m) => {
      const keys = m.getRepository(ApiKeyEntity);
      const existing = await keys.findOneBy({ bootstrap });
      if (existing && existing.secretHash === secretHash && existing.role === role) {
        // A key revoked through the API stays revoked: setting a new secret makes a new key.
        if (existing.revokedAt !== null)
          this.logger.warn(`the ${bootstrap} API key from the environment was revoked: set a new secret`);
        return;
      }
      if (existing) {
        // A new secret is a new key: the old one ends, and with it every impersonation it started.
        await keys.update({ id: existing.id }, { bootstrap: null, revokedAt: existing.revokedAt ?? Date.now() });
      }
      await keys
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
    });
  }
}
