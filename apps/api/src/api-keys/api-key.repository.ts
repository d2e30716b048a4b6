import { Injectable } from '@nestjs/common';
import type { Page } from '@tessera/dto';
import { paginate, type Listing } from '../infra/database/pagination.js';
import { ms, msOrNull, sqlRead } from '../infra/database/sql.js';
import { TransactionRunner, type Transaction } from '../infra/database/transaction-runner.js';
import { ApiKeyEntity, type ApiKeyRole } from './api-key.entity.js';

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

/** The `api_keys` table. */
@Injectable()
export class ApiKeyRepository {
  private readonly bySecretHash: (hash: string) => Promise<KeyRow[]>;

  constructor(private readonly db: TransactionRunner) {
    // Prepared once: every request made with a key runs it.
    this.bySecretHash = sqlRead<KeyRow>(db, KEY_BY_HASH_SQL);
  }

  /** `work` in the caller's transaction, or on its own when there is none. */
  private within<T>(tx: Transaction | undefined, work: (tx: Transaction) => Promise<T>): Promise<T> {
    return tx === undefined ? this.db.run(work) : work(tx);
  }

  /** The key whose secret has this SHA-256, revoked or not; undefined when none has. */
  async findBySecretHash(hash: string): Promise<ApiKeyEntity | undefined> {
    const [row] = await this.bySecretHash(hash);
    return row === undefined ? undefined : keyOf(row);
  }

  async recordUse(id: string, lastUsedAt: number): Promise<void> {
    await this.db.run((tx) => tx.getRepository(ApiKeyEntity).update({ id }, { lastUsedAt }));
  }

  findById(id: string, tx?: Transaction): Promise<ApiKeyEntity | null> {
    return this.within(tx, (t) => t.getRepository(ApiKeyEntity).findOneBy({ id }));
  }

  /** The key made from the environment under this name, if there is one. */
  findBootstrap(bootstrap: string, tx: Transaction): Promise<ApiKeyEntity | null> {
    return tx.getRepository(ApiKeyEntity).findOneBy({ bootstrap });
  }

  async insert(key: ApiKeyEntity, tx: Transaction): Promise<void> {
    await tx.getRepository(ApiKeyEntity).insert(key);
  }

  /** Inserts the key unless one with its secret or bootstrap name is already there (another process won). */
  async insertUnlessTaken(key: ApiKeyEntity, tx: Transaction): Promise<void> {
    await tx.getRepository(ApiKeyEntity).createQueryBuilder().insert().values(key).orIgnore().execute();
  }

  async setRevokedAt(id: string, revokedAt: number, tx: Transaction): Promise<void> {
    await tx.getRepository(ApiKeyEntity).update({ id }, { revokedAt });
  }

  /** A key made from the environment stops being the one under its name, and ends at `revokedAt`. */
  async retireBootstrap(id: string, revokedAt: number, tx: Transaction): Promise<void> {
    await tx.getRepository(ApiKeyEntity).update({ id }, { bootstrap: null, revokedAt });
  }

  /** Every key, oldest first. */
  list(query: Listing): Promise<Page<ApiKeyEntity>> {
    return this.db.run((tx) => paginate(tx.getRepository(ApiKeyEntity).createQueryBuilder('k'), query));
  }
}
