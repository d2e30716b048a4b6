import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import type { Repository } from 'typeorm';
import type { Page } from '@tessera/dto';
import { paginate, type Listing } from '../infra/database/pagination.js';
import { ms, msOrNull, sqlRead } from '../infra/database/sql.js';
import { TransactionRunner, type Transaction } from '../infra/database/transaction-runner.js';
import { UserEntity } from './user.entity.js';

/** A user's columns as the hot reads name them (joined as `u`); `UserRow` is the row they make. */
export const USER_COLUMNS =
  'u.id AS "userId", u.email AS "userEmail", u.password_hash AS "userPasswordHash", ' +
  'u.super_admin AS "userSuperAdmin", ' +
  'u.disabled_at AS "userDisabledAt", u.sessions_valid_after AS "userSessionsValidAfter", ' +
  'u.email_verified_at AS "userEmailVerifiedAt", u.mfa_enabled AS "userMfaEnabled", ' +
  'u.created_at AS "userCreatedAt", u.updated_at AS "userUpdatedAt"';

/**
 * A row read with USER_COLUMNS: BIGINT times are strings on PostgreSQL, booleans 0 or 1 on SQLite;
 * `userId` is null when an outer join found no user.
 */
export interface UserRow {
  userId: string | null;
  userEmail: string | null;
  userPasswordHash: string | null;
  userSuperAdmin: boolean | number;
  userDisabledAt: string | number | null;
  userSessionsValidAfter: string | number | null;
  userEmailVerifiedAt: string | number | null;
  userMfaEnabled: boolean | number;
  userCreatedAt: string | number;
  userUpdatedAt: string | number;
}

/** The user of a row read with USER_COLUMNS; null when there is none. */
export function userOfRow(row: UserRow): UserEntity | null {
  if (row.userId === null) return null;
  return {
    id: row.userId,
    email: row.userEmail,
    passwordHash: row.userPasswordHash,
    superAdmin: row.userSuperAdmin === true || row.userSuperAdmin === 1,
    disabledAt: msOrNull(row.userDisabledAt),
    sessionsValidAfter: msOrNull(row.userSessionsValidAfter),
    emailVerifiedAt: msOrNull(row.userEmailVerifiedAt),
    mfaEnabled: row.userMfaEnabled === true || row.userMfaEnabled === 1,
    createdAt: ms(row.userCreatedAt),
    updatedAt: ms(row.userUpdatedAt),
  };
}

/** The users list's filters, combined with AND; `tenantIds`: members of any of these tenants. */
export interface UserFilter {
  /** Exactly this user (to ask whether they pass the other filters). */
  id?: string;
  q?: string;
  disabled?: boolean;
  superAdmin?: boolean;
  mfa?: boolean;
  tenantIds?: string[];
}

/**
 * The only writer of the users table (UserService's rules decide what to write). Methods that take
 * a `tx` run in the caller's transaction; without one, each statement runs on its own.
 */
@Injectable()
export class UserRepository {
  /** Every sign-in runs this: hand-written, prepared once. */
  private readonly byEmail: (email: string) => Promise<UserRow[]>;

  constructor(private readonly db: TransactionRunner) {
    this.byEmail = sqlRead<UserRow>(db, `SELECT ${USER_COLUMNS} FROM users u WHERE u.email = ?`);
  }

  private users<T>(tx: Transaction | undefined, work: (users: Repository<UserEntity>) => Promise<T>): Promise<T> {
    if (tx !== undefined) return work(tx.getRepository(UserEntity));
    return this.db.run((m) => work(m.getRepository(UserEntity)));
  }

  /** `email` as stored: already normalized. */
  async findByEmail(email: string): Promise<UserEntity | null> {
    const [row] = await this.byEmail(email);
    return row === undefined ? null : userOfRow(row);
  }

  findById(id: string, tx?: Transaction): Promise<UserEntity | null> {
    return this.users(tx, (users) => users.findOneBy({ id }));
  }

  isIdTaken(id: string, tx?: Transaction): Promise<boolean> {
    return this.users(tx, (users) => users.existsBy({ id }));
  }

  isEmailTaken(email: string, tx?: Transaction): Promise<boolean> {
    return this.users(tx, (users) => users.existsBy({ email }));
  }

  /** Inserts the user as given; a taken id or email throws the database's unique violation. */
  insert(user: UserEntity, tx?: Transaction): Promise<UserEntity> {
    return this.users(tx, async (users) => {
      const entity = users.create(user);
      await users.insert(entity);
      return entity;
    });
  }

  /** Writes email and password hash together; a taken email throws the database's unique violation. */
  async updateProfile(
    id: string,
    profile: { email: string | null; emailVerifiedAt: number | null; passwordHash: string | null; updatedAt: number },
    tx: Transaction,
  ): Promise<void> {
    await tx.getRepository(UserEntity).update({ id }, profile);
  }

  async setEmailVerifiedAt(id: string, at: number, tx: Transaction): Promise<void> {
    await tx.getRepository(UserEntity).update({ id }, { emailVerifiedAt: at });
  }

  async setMfaEnabled(id: string, mfaEnabled: boolean, updatedAt: number, tx: Transaction): Promise<void> {
    await tx.getRepository(UserEntity).update({ id }, { mfaEnabled, updatedAt });
  }

  async setPasswordHash(id: string, passwordHash: string, updatedAt: number, tx?: Transaction): Promise<void> {
    await this.users(tx, (users) => users.update({ id }, { passwordHash, updatedAt }));
  }

  async setDisabledAt(id: string, disabledAt: number | null, updatedAt: number, tx: Transaction): Promise<void> {
    await tx.getRepository(UserEntity).update({ id }, { disabledAt, updatedAt });
  }

  /** The super_admin flag: the global super_admin role, kept on the user for the admin check of every request. */
  async setSuperAdmin(id: string, held: boolean, updatedAt: number, tx?: Transaction): Promise<void> {
    await this.users(tx, (users) => users.update({ id }, { superAdmin: held, updatedAt }));
  }

  async setSessionsValidAfter(id: string, at: number, tx: Transaction): Promise<void> {
    await tx.getRepository(UserEntity).update({ id }, { sessionsValidAfter: at });
  }

  findByIds(ids: string[]): Promise<UserEntity[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.users(undefined, (users) => users.findBy({ id: In(ids) }));
  }

  /** Deletes the user (memberships and grants go with it by cascade); false when there was none. */
  async delete(id: string, tx: Transaction): Promise<boolean> {
    const result = await tx.getRepository(UserEntity).delete({ id });
    return Boolean(result.affected);
  }

  /** Oldest first, by keyset (or offset) pagination; with a filter, only the users it keeps. */
  list(query: Listing, filter: UserFilter = {}): Promise<Page<UserEntity>> {
    return this.users(undefined, (users) => {
      const qb = users.createQueryBuilder('u');
      if (filter.id !== undefined) qb.andWhere('u.id = :id', { id: filter.id });
      if (filter.q !== undefined) {
        // Emails are stored lowercased; LIKE's wildcards in the search are taken literally.
        const literal = filter.q.replace(/[\\%_]/g, (c) => `\\${c}`);
        qb.andWhere("(u.email LIKE :contains ESCAPE '\\' OR u.id LIKE :prefix ESCAPE '\\')", {
          contains: `%${literal.toLowerCase()}%`,
          prefix: `${literal}%`,
        });
      }
      if (filter.disabled !== undefined) qb.andWhere(`u.disabledAt IS ${filter.disabled ? 'NOT ' : ''}NULL`);
      if (filter.superAdmin !== undefined) qb.andWhere('u.superAdmin = :superAdmin', { superAdmin: filter.superAdmin });
      if (filter.mfa !== undefined) qb.andWhere('u.mfaEnabled = :mfa', { mfa: filter.mfa });
      if (filter.tenantIds !== undefined) {
        if (filter.tenantIds.length === 0) qb.andWhere('1 = 0');
        // Membership is the directory's table; reading who belongs to a tenant is a filter here.
        else
          qb.andWhere('u.id IN (SELECT m.user_id FROM memberships m WHERE m.tenant_id IN (:...tenantIds))', {
            tenantIds: filter.tenantIds,
          });
      }
      return paginate(qb, query);
    });
  }
}
