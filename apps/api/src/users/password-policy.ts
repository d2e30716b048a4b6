import { Inject, Injectable } from '@nestjs/common';
import { dictionary } from '@zxcvbn-ts/language-common';
import { PASSWORD_MAX_LENGTH, type WeakPasswordReason } from '@tessera/dto';
import { CONFIG, type Config } from '../infra/config/config.js';
import { ApiError } from '../infra/http/api-error.js';

/**
 * What a new password must be (ASVS 5.0 6.2): at least TESSERA_PASSWORD_MIN_LENGTH characters (8 by
 * default) and at most 256, any characters, not one of the ~50,000 most common passwords (the list
 * zxcvbn ships), and not the account's email. Checked wherever a password is set: sign-up, change,
 * reset, and by an admin.
 */
@Injectable()
export class PasswordPolicy {
  /** Lowercased: "Password1" is as common as "password1". */
  private readonly common = new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()));

  constructor(@Inject(CONFIG) private readonly config: Config) {}

  /** The reason a password is refused, or null when it is acceptable. */
  weakness(password: string, email?: string | null): WeakPasswordReason | null {
    // Characters as a person counts them (code points), not UTF-16 units.
    const length = [...password].length;
    if (length < this.config.accounts.passwordMinLength) return 'too_short';
    if (length > PASSWORD_MAX_LENGTH) return 'too_long';
    const lowered = password.toLowerCase();
    if (this.common.has(lowered)) return 'common';
    if (email && lowered === email.trim().toLowerCase()) return 'same_as_email';
    return null;
  }

  /** Throws 400 `weak_password` with the reason when the password is refused. */
  check(password: string, email?: string | null): void {
    const reason = this.weakness(password, email);
    if (reason === null) return;
    const messages: Record<WeakPasswordReason, string> = {
      too_short: `The password must have at least ${this.config.accounts.passwordMinLength} characters`,
      too_long: `The password must have at most ${PASSWORD_MAX_LENGTH} characters`,
      common: 'The password is one of the most common passwords',
      same_as_email: 'The password must not be the email address',
    };
    throw new ApiError('weak_password', messages[reason], { reason });
  }
}
