import { z } from 'zod';
import { Id, Timestamp, pageOf } from './common.js';

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

export const Password = z.string().min(PASSWORD_MIN_LENGTH).max(PASSWORD_MAX_LENGTH);
export const Email = z.email().max(320);

/** A user as the API shows it: never a password hash. */
export const User = z.object({
  userId: Id,
  /** Null for a user created without one (through the Warrant-compatible API). */
  email: z.string().nullable(),
  disabled: z.boolean(),
  superAdmin: z.boolean(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type User = z.infer<typeof User>;

export const CreateUserRequest = z.strictObject({
  userId: Id.optional(),
  email: Email,
  password: Password.optional(),
});
export type CreateUserRequest = z.infer<typeof CreateUserRequest>;

export const UserPage = pageOf(User);
