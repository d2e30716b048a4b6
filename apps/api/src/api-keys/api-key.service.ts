import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { ApiKey, Page } from '@tessera/dto';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../auth/principal.js';
import { ApiError, notFound } from '../infra/http/api-error.js';
import { randomSecret, safeEqual, sha256Hex } from '../common/crypto.js';
import type { Listing } from '../infra/database/pagination.js';
import { iso, isoOrNull } from '../infra/database/columns.js';
import { TransactionRunner } from '../infra/database/transaction-runner.js';
import { isUniqueViolation } from '../infra/database/data-source.js';
import type { ApiKeyEntity, ApiKeyRole } from './api-key.entity.js';
import { ApiKeyRepository } from './api-key.repository.js';

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

/** API keys: who may hold one, when it counts, and the audit trail of their making and ending. */
@Injectable()
export class ApiKeyService {
  private readonly logger = new Logger('ApiKeys');

  constructor(
    private readonly db: TransactionRunner,
    private readonly keys: ApiKeyRepository,
    private readonly audit: AuditService,
  ) {}

  /**
   * The key for a presented secret, or 401 unauthorized (unknown, revoked or expired alike). Read on
   * every request: a revocation counts at once, on every process.
   */
  async authenticate(secret: string): Promise<ApiKeyEntity> {
    const hash = sha256Hex(secret);
    const key = await this.keys.findBySecretHash(hash);
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
      await this.keys.recordUse(key.id, now);
      key.lastUsedAt = now;
    }
    return key;
  }

  /**
   * A new key and its `api_key.created` event, both or neither; the secret exists only in the
   * return value, the database keeps its SHA-256.
   */
  async create(
    input: { name: string; role: ApiKeyRole; expiresAt?: number },
    actor: Actor,
  ): Promise<{ key: ApiKeyEntity; secret: string }> {
    if (input.expiresAt !== undefined && input.expiresAt <= Date.now()) {
      throw new ApiError('invalid_request', 'The request is not valid', {
        fields: { expiresAt: 'must be in the future' },
      });
    }
    const secret = `${API_KEY_PREFIX}${randomSecret()}`;
    return { key: await this.insertKey(input, sha256Hex(secret), actor), secret };
  }

  /**
   * A key whose secret the caller chose and kept, given as its SHA-256 in hex (Contember's
   * `createGlobalApiKey(tokenHash)`): it works as `Bearer <secret>`. A hash already taken is 409.
   */
  async createWithHash(
    input: { name: string; role: ApiKeyRole },
    secretHash: string,
    actor: Actor,
  ): Promise<ApiKeyEntity> {
    if (!/^[0-9a-f]{64}$/.test(secretHash)) {
      throw new ApiError('invalid_request', 'The request is not valid', {
        fields: { tokenHash: 'must be a SHA-256 in lowercase hex' },
      });
    }
    try {
      return await this.insertKey(input, secretHash, actor);
    } catch (error) {
      if (isUniqueViolation(error)) throw new ApiError('duplicate_record', 'This token hash is taken');
      throw error;
    }
  }

  private async insertKey(
    input: { name: string; role: ApiKeyRole; expiresAt?: number },
    secretHash: string,
    actor: Actor,
  ): Promise<ApiKeyEntity> {
    const key: ApiKeyEntity = {
      id: randomUUID(),
      name: input.name,
      role: input.role,
      secretHash,
      bootstrap: null,
      createdAt: Date.now(),
      lastUsedAt: null,
      expiresAt: input.expiresAt ?? null,
      revokedAt: null,
    };
    await this.db.transaction(async (tx) => {
      await this.keys.insert(key, tx);
      await this.audit.record(tx, {
        type: 'api_key.created',
        actor,
        details: { apiKeyId: key.id, name: key.name, role: key.role },
      });
    });
    return key;
  }

  list(query: Listing): Promise<Page<ApiKeyEntity>> {
    return this.keys.list(query);
  }

  /**
   * Revokes a key, effective on its next request, with its `api_key.revoked` event. Idempotent for a
   * known key; 404 for an unknown one.
   */
  revoke(id: string, actor: Actor): Promise<ApiKeyEntity> {
    return this.db.transaction(async (tx) => {
      const key = await this.keys.findById(id, tx);
      if (!key) throw notFound('api_key', id);
      if (key.revokedAt === null) {
        key.revokedAt = Date.now();
        await this.keys.setRevokedAt(id, key.revokedAt, tx);
      }
      await this.audit.record(tx, { type: 'api_key.revoked', actor, details: { apiKeyId: key.id, name: key.name } });
      return key;
    });
  }

  /** Whether a key may still act as an admin: known, not revoked, not expired. */
  async isLiveAdminKey(id: string): Promise<boolean> {
    const key = await this.keys.findById(id);
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
    await this.db.transaction(async (tx) => {
      const existing = await this.keys.findBootstrap(bootstrap, tx);
      if (existing && existing.secretHash === secretHash && existing.role === role) {
        // A key revoked through the API stays revoked: setting a new secret makes a new key.
        if (existing.revokedAt !== null)
          this.logger.warn(`the ${bootstrap} API key from the environment was revoked: set a new secret`);
        return;
      }
      if (existing) {
        // A new secret is a new key: the old one ends, and with it every impersonation it started.
        await this.keys.retireBootstrap(existing.id, existing.revokedAt ?? Date.now(), tx);
      }
      await this.keys.insertUnlessTaken(
        {
          id: randomUUID(),
          name: `${bootstrap} key (from the environment)`,
          role,
          secretHash,
          bootstrap,
          createdAt: Date.now(),
          lastUsedAt: null,
          expiresAt: null,
          revokedAt: null,
        },
        tx,
      );
    });
  }
}
