import { Injectable } from '@nestjs/common';
import type { Transaction } from '../infra/database/transaction-runner.js';

/** Every mail Tessera sends, and what each needs to be written. */
export interface MailTemplates {
  /** A link to set a new password: `url` carries the token in its fragment. */
  password_reset: { url: string; expiresInMinutes: string };
  /** Notice that the account's password was changed (by a reset or by the user). */
  password_changed: Record<string, never>;
  /** A link to verify the address: on sign-up, on request, and for admin-created users. */
  email_verification: { url: string; expiresInHours: string };
  /** To the new address of an email change: the link that moves the account there. */
  email_change: { url: string; expiresInHours: string };
  /** To the old address of an email change: someone asked to move the account to `newEmail`. */
  email_change_notice: { newEmail: string };
  /** To an existing account's address, when someone tried to sign up with it. */
  sign_up_existing: { resetUrl: string };
  /** Notice that the second factor changed: `change` is enabled, disabled, reset or recovery_codes. */
  mfa_changed: { change: string };
}
export type MailTemplate = keyof MailTemplates;

export interface Mail<T extends MailTemplate = MailTemplate> {
  to: string;
  template: T;
  data: MailTemplates[T];
}

/**
 * Outgoing mail. `enqueue` writes the mail to the outbox in the caller's transaction (so a mail is
 * sent exactly when its cause commits, and never on the request's critical path); a worker sends it
 * from there, over SMTP or as an .eml file, with retries.
 */
@Injectable()
export abstract class MailService {
  abstract enqueue<T extends MailTemplate>(tx: Transaction, mail: Mail<T>): Promise<void>;
}
