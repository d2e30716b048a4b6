import { randomUUID } from 'node:crypto';
import { TransactionRunner } from '../infra/database/transaction-runner.js';
import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import type { Page, User } from '@tessera/dto';
import { ApiError, duplicate, notFound } from '../infra/http/api-error.js';
import { iso } from '../infra/database/columns.js';
import { isUniqueViolation } from '../infra/database/data-source.js';
import { ms, msOrNull, sqlRead } from '../infra/database/sql.js';
import { paginate, type Listing } from '../infra/database/pagination.js';
import { PasswordService } from './password.service.js';
import { UserEntity } from './user.entity.js';

/** A user to create; the id is generated when omitted. */
export interface NewUser {
  userId?: string;
  email?: string;
  superAdmin?: boolean;
}

/** Impersonations started by an API key name it `api-key:<key id>`: no user id may look like that. */
export const API_KEY_IMPERSONATOR = 'api-key:';

export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

export function toUserDto(user: UserEntity): User {
  return {
    userId: user.id,
    email: user.email,
    disabled: user.disabledAt !== null,
    superAdmin: user.superAdmin,
    createdAt: iso(user.createdAt),
    updatedAt: iso(user.updatedAt),
  };
}

/** A user's columns as the hot reads name them (joined as `u`); `UserRow` is the row they make. */
export const USER_COLUMNS =
  'u.id AS "userId", u.email AS "userEmail", u.password_hash AS "userPasswordHash", ' +
  'u.super_admin AS "userSuperAdmin", ' +
  'u.disabled_at AS "userDisabledAt", u.sessions_valid_after AS "userSessionsValidAfter", ' +
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
    createdAt: ms(row.userCreatedAt),
    updatedAt: ms(row.userUpdatedAt),
  };
}

/** Users: the only place that reads or writes the users table. */
@Injectable()
export class UserService {
  /** Every sign-in runs this. */
  private readonly byEmail: (email: string) => Promise<UserRow[]>;

  constructor(
    private readonly db: TransactionRunner,
    private readonly passwords: PasswordService,
  ) {
    this.byEmail = sqlRead<UserRow>(db, `SELECT ${USER_COLUMNS} FROM users u WHERE u.email = ?`);
  }

  private repo(manager: EntityManager = this.db.manager) {
    return manager.getRepository(UserEntity);
  }

  /** Hashes the password (before any check, so a duplicate costs the same as a success) and inserts. */
  async create(input: NewUser & { password?: string }, manager?: EntityManager): Promise<UserEntity> {
    const passwordHash = input.password === undefined ? null : await this.passwords.hash(input.password);
    return this.insert({ ...input, passwordHash }, manager);
  }

  /** Inserts a user whose password is already hashed; a taken id or email is 409. */
  async insert(input: NewUser & { passwordHash: string | null }, manager?: EntityManager): Promise<UserEntity> {
    const id = input.userId ?? randomUUID();
    if (id.startsWith(API_KEY_IMPERSONATOR)) {
      throw new ApiError('invalid_request', 'The request is not valid', {
        fields: { userId: `the prefix ${API_KEY_IMPERSONATOR} is reserved` },
      });
    }
    const email = input.email === undefined ? null : normalizeEmail(input.email);
    if (await this.repo(manager).existsBy({ id })) throw duplicate('userId', id);
    if (email !== null && (await this.repo(manager).existsBy({ email }))) throw duplicate('email', email);
    const now = Date.now();
    const user = this.repo(manager).create({
      id,
      email,
      passwordHash: input.passwordHash,
      superAdmin: input.superAdmin ?? false,
      disabledAt: null,
      sessionsValidAfter: null,
      createdAt: now,
      updatedAt: now,
    });
    try {
      await this.repo(manager).insert(user);
    } catch (error) {
      // Two concurrent creates: the loser of the race gets the same 409 as a sequential one.
      if (isUniqueViolation(error)) throw duplicate('userId or email', `${id} / ${email ?? ''}`);
      throw error;
    }
    return user;
  }

  list(query: Listing): Promise<Page<UserEntity>> {
    return paginate(this.repo().createQueryBuilder('u'), query);
  }

  findById(id: string): Promise<UserEntity | null> {
    return this.repo().findOneBy({ id });
  }

  async getById(id: string): Promise<UserEntity> {
    const user = await this.findById(id);
    if (!user) throw notFound('user', id);
    return user;
  }

  async findByEmail(email: string): Promise<UserEntity | null> {
    const [row] = await this.byEmail(normalizeEmail(email));
    return row === undefined ? null : userOfRow(row);
  }

  /**
   * Changes email and/or password hash, in the caller's transaction; a taken email is 409.
   * Says which of the two actually changed, for the caller's audit events and revocations.
   */
  async update(
    userId: string,
    patch: { email?: string; passwordHash?: string },
    manager: EntityManager,
  ): Promise<{ user: UserEntity; emailChanged: boolean; passwordChanged: boolean }> {
    const user = await this.repo(manager).findOneBy({ id: userId });
    if (!user) throw notFound('user', userId);
    let emailChanged = false;
    if (patch.email !== undefined) {
      const email = normalizeEmail(patch.email);
      if (email !== user.email && (await this.repo(manager).existsBy({ email }))) throw duplicate('email', email);
      emailChanged = email !== user.email;
      user.email = email;
    }
    const passwordChanged = patch.passwordHash !== undefined;
    if (passwordChanged) user.passwordHash = patch.passwordHash!;
    user.updatedAt = Date.now();
    try {
      await this.repo(manager).update(
        { id: userId },
        { email: user.email, passwordHash: user.passwordHash, updatedAt: user.updatedAt },
      );
    } catch (error) {
      if (isUniqueViolation(error)) throw duplicate('email', user.email ?? '');
      throw error;
    }
    return { user, emailChanged, passwordChanged };
  }

  /** Deletes a user with their memberships and grants (foreign keys cascade), in the caller's transaction. */
  async remove(userId: string, manager: EntityManager): Promise<void> {
    const result = await this.repo(manager).delete({ id: userId });
    if (!result.affected) throw notFound('user', userId);
  }

  async setPasswordHash(userId: string, passwordHash: string, manager?: EntityManager): Promise<void> {
    await this.repo(manager).update({ id: userId }, { passwordHash, updatedAt: Date.now() });
  }

  /** Sets or clears disabledAt; false when the user was already in that state. */
  async setDisabled(userId: string, disabled: boolean, manager: EntityManager): Promise<UserEntity> {
    const user = await this.repo(manager).findOneBy({ id: userId });
    if (!user) throw notFound('user', userId);
    if ((user.disabledAt !== null) !== disabled) {
      user.disabledAt = disabled ? Date.now() : null;
      user.updatedAt = Date.now();
      await this.repo(manager).update({ id: userId }, { disabledAt: user.disabledAt, updatedAt: user.updatedAt });
    }
    return user;
  }

  /** Idempotent bootstrap of the super admin from the environment. */
  async ensureSuperAdmin(email: string, password: string): Promise<UserEntity> {
    const existing = await this.findByEmail(email);
    if (!existing) {
      try {
        return await this.create({ email, password, superAdmin: true });
      } catch (error) {
        // Another process bootstrapping at the same moment created it first.
        const raced = await this.findByEmail(email);
        if (!raced) throw error;
        return raced;
      }
    }
    // An existing account keeps its password: a password changed through the API survives restarts.
    if (!existing.superAdmin) {
      await this.repo().update({ id: existing.id }, { superAdmin: true, updatedAt: Date.now() });
      existing.superAdmin = true;
    }
    return existing;
  }
}
