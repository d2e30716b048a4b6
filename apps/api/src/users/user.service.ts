import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Page, User } from '@tessera/dto';
import { ApiError, duplicate, notFound } from '../infra/http/api-error.js';
import { iso, isoOrNull } from '../infra/database/columns.js';
import { isUniqueViolation } from '../infra/database/data-source.js';
import type { Listing } from '../infra/database/pagination.js';
import type { Transaction } from '../infra/database/transaction-runner.js';
import { PasswordService } from './password.service.js';
import type { UserEntity } from './user.entity.js';
import { UserRepository, type UserFilter } from './user.repository.js';

// The hot reads of other capabilities join users with these (sessions' token validation).
export { USER_COLUMNS, userOfRow, type UserRow, type UserFilter } from './user.repository.js';

/** A user to create; the id is generated when omitted. */
export interface NewUser {
  userId?: string;
  email?: string;
  superAdmin?: boolean;
  /** The address is known to be the user's (an import, the bootstrap admin): no verification needed. */
  emailVerified?: boolean;
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
    emailVerifiedAt: isoOrNull(user.emailVerifiedAt),
    mfa: user.mfaEnabled,
    createdAt: iso(user.createdAt),
    updatedAt: iso(user.updatedAt),
  };
}

/** Users: the rules of accounts. Their rows are UserRepository's, the only writer of the users table. */
@Injectable()
export class UserService {
  constructor(
    private readonly users: UserRepository,
    private readonly passwords: PasswordService,
  ) {}

  /**
   * Checks the password against the policy, hashes it (before any other check, so a duplicate costs
   * the same as a success) and inserts.
   */
  async create(input: NewUser & { password?: string }, tx?: Transaction): Promise<UserEntity> {
    const passwordHash =
      input.password === undefined ? null : await this.passwords.hashNew(input.password, input.email);
    return this.insert({ ...input, passwordHash }, tx);
  }

  /** Inserts a user whose password is already hashed; a taken id or email is 409. */
  async insert(input: NewUser & { passwordHash: string | null }, tx?: Transaction): Promise<UserEntity> {
    const id = input.userId ?? randomUUID();
    if (id.startsWith(API_KEY_IMPERSONATOR)) {
      throw new ApiError('invalid_request', 'The request is not valid', {
        fields: { userId: `the prefix ${API_KEY_IMPERSONATOR} is reserved` },
      });
    }
    const email = input.email === undefined ? null : normalizeEmail(input.email);
    if (await this.users.isIdTaken(id, tx)) throw duplicate('userId', id);
    if (email !== null && (await this.users.isEmailTaken(email, tx))) throw duplicate('email', email);
    const now = Date.now();
    try {
      return await this.users.insert(
        {
          id,
          email,
          passwordHash: input.passwordHash,
          superAdmin: input.superAdmin ?? false,
          disabledAt: null,
          sessionsValidAfter: null,
          emailVerifiedAt: email !== null && input.emailVerified === true ? now : null,
          mfaEnabled: false,
          createdAt: now,
          updatedAt: now,
        },
        tx,
      );
    } catch (error) {
      // Two concurrent creates: the loser of the race gets the same 409 as a sequential one.
      if (isUniqueViolation(error)) throw duplicate('userId or email', `${id} / ${email ?? ''}`);
      throw error;
    }
  }

  list(query: Listing, filter?: UserFilter): Promise<Page<UserEntity>> {
    return this.users.list(query, filter);
  }

  findById(id: string): Promise<UserEntity | null> {
    return this.users.findById(id);
  }

  /** Grants or takes the global super_admin role (the user's flag); the caller records the grant. */
  async setSuperAdmin(id: string, held: boolean, tx: Transaction): Promise<void> {
    await this.users.setSuperAdmin(id, held, Date.now(), tx);
  }

  /** Records that the user receives mail at `email` (the address a verification link was sent to). */
  async markEmailVerified(id: string, email: string, tx: Transaction): Promise<UserEntity> {
    const user = await this.users.findById(id, tx);
    if (!user) throw notFound('user', id);
    if (user.email !== email)
      throw new ApiError('invalid_token', 'This link is for another address', { reason: 'superseded' });
    if (user.emailVerifiedAt === null) {
      user.emailVerifiedAt = Date.now();
      await this.users.setEmailVerifiedAt(id, user.emailVerifiedAt, tx);
    }
    return user;
  }

  /** Moves the user to a new address they have proven is theirs (verified by the link that brought them). */
  async moveToVerifiedEmail(id: string, newEmail: string, tx: Transaction): Promise<UserEntity> {
    const { user } = await this.update(id, { email: newEmail }, tx);
    user.emailVerifiedAt = Date.now();
    await this.users.setEmailVerifiedAt(id, user.emailVerifiedAt, tx);
    return user;
  }

  /** Whether sign-in asks this user for a second factor (kept on the user for every answer that shows it). */
  async setMfaEnabled(id: string, enabled: boolean, tx: Transaction): Promise<void> {
    await this.users.setMfaEnabled(id, enabled, Date.now(), tx);
  }

  /** Every session of the user created up to `at` is dead, even one whose row a sign-in is inserting now. */
  async setSessionsValidAfter(id: string, at: number, tx: Transaction): Promise<void> {
    await this.users.setSessionsValidAfter(id, at, tx);
  }

  /** The users of these ids that exist, in no particular order. */
  findByIds(ids: string[]): Promise<UserEntity[]> {
    return this.users.findByIds(ids);
  }

  async getById(id: string): Promise<UserEntity> {
    const user = await this.findById(id);
    if (!user) throw notFound('user', id);
    return user;
  }

  findByEmail(email: string): Promise<UserEntity | null> {
    return this.users.findByEmail(normalizeEmail(email));
  }

  /**
   * Changes email and/or password hash, in the caller's transaction; a taken email is 409.
   * Says which of the two actually changed, for the caller's audit events and revocations.
   */
  async update(
    userId: string,
    patch: { email?: string; passwordHash?: string },
    tx: Transaction,
  ): Promise<{ user: UserEntity; emailChanged: boolean; passwordChanged: boolean }> {
    const user = await this.users.findById(userId, tx);
    if (!user) throw notFound('user', userId);
    let emailChanged = false;
    if (patch.email !== undefined) {
      const email = normalizeEmail(patch.email);
      if (email !== user.email && (await this.users.isEmailTaken(email, tx))) throw duplicate('email', email);
      emailChanged = email !== user.email;
      user.email = email;
      // A new address is not verified yet, whoever set it.
      if (emailChanged) user.emailVerifiedAt = null;
    }
    const passwordChanged = patch.passwordHash !== undefined;
    if (passwordChanged) user.passwordHash = patch.passwordHash!;
    user.updatedAt = Date.now();
    try {
      await this.users.updateProfile(
        userId,
        {
          email: user.email,
          emailVerifiedAt: user.emailVerifiedAt,
          passwordHash: user.passwordHash,
          updatedAt: user.updatedAt,
        },
        tx,
      );
    } catch (error) {
      if (isUniqueViolation(error)) throw duplicate('email', user.email ?? '');
      throw error;
    }
    return { user, emailChanged, passwordChanged };
  }

  /** Deletes a user with their memberships and grants (foreign keys cascade), in the caller's transaction. */
  async remove(userId: string, tx: Transaction): Promise<void> {
    if (!(await this.users.delete(userId, tx))) throw notFound('user', userId);
  }

  async setPasswordHash(userId: string, passwordHash: string, tx?: Transaction): Promise<void> {
    await this.users.setPasswordHash(userId, passwordHash, Date.now(), tx);
  }

  /** Sets or clears disabledAt, in the caller's transaction; unchanged when the user is already in that state. */
  async setDisabled(userId: string, disabled: boolean, tx: Transaction): Promise<UserEntity> {
    const user = await this.users.findById(userId, tx);
    if (!user) throw notFound('user', userId);
    if ((user.disabledAt !== null) !== disabled) {
      user.disabledAt = disabled ? Date.now() : null;
      user.updatedAt = Date.now();
      await this.users.setDisabledAt(userId, user.disabledAt, user.updatedAt, tx);
    }
    return user;
  }

  /** Idempotent bootstrap of the super admin from the environment. */
  async ensureSuperAdmin(email: string, password: string): Promise<UserEntity> {
    const existing = await this.findByEmail(email);
    if (!existing) {
      try {
        // The operator's own choice, not held to the policy; the address is theirs.
        const passwordHash = await this.passwords.hash(password);
        return await this.insert({ email, passwordHash, superAdmin: true, emailVerified: true });
      } catch (error) {
        // Another process bootstrapping at the same moment created it first.
        const raced = await this.findByEmail(email);
        if (!raced) throw error;
        return raced;
      }
    }
    // An existing account keeps its password: a password changed through the API survives restarts.
    if (!existing.superAdmin) {
      await this.users.setSuperAdmin(existing.id, true, Date.now());
      existing.superAdmin = true;
    }
    return existing;
  }
}
