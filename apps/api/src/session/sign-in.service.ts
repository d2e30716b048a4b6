import { Inject, Injectable } from '@nestjs/common';
import type { SignInRequest } from '@tessera/dto';
import { ApiError } from '../common/api-error.js';
import type { RequestMeta } from '../common/principal.js';
import { CONFIG, type Config } from '../config/config.js';
import { PasswordService } from '../tenant/password.service.js';
import { UserService } from '../tenant/user.service.js';
import type { UserEntity } from '../tenant/user.entity.js';
import { SessionService, type NewSession } from './session.service.js';
import type { SessionEntity } from './session.entity.js';

const invalidCredentials = () => new ApiError('invalid_credentials', 'Invalid email or password');

/** Sign-in and password changes: the flows that check a password. */
@Injectable()
export class SignInService {
  constructor(
    private readonly users: UserService,
    private readonly passwords: PasswordService,
    private readonly sessions: SessionService,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  /** Seconds requested for a new session, checked against TESSERA_SESSION_MAX_EXPIRATION. */
  expiration(requested: number | undefined): number {
    const max = this.config.session.maxExpiration;
    if (requested !== undefined && requested > max) {
      throw new ApiError('invalid_request', 'The request is not valid', {
        fields: { expiration: `must be between 1 and ${max} seconds` },
      });
    }
    return requested ?? Math.min(this.config.session.defaultExpiration, max);
  }

  /**
   * Unknown email, wrong password and passwordless user all cost one argon2 verification and give
   * the same 401; a disabled account is only revealed to someone who knows its password.
   */
  async signIn(
    request: SignInRequest,
    meta: RequestMeta,
  ): Promise<{ token: string; session: SessionEntity; user: UserEntity }> {
    const expiration = this.expiration(request.expiration);
    const user = await this.users.findByEmail(request.email);
    const passwordOk = await this.passwords.verify(user?.passwordHash ?? null, request.password);
    if (!user || !passwordOk) throw invalidCredentials();
    if (user.disabledAt !== null) throw new ApiError('user_disabled', 'This account is disabled');
    const session: NewSession = {
      userId: user.id,
      type: 'user',
      expiration,
      lifetime: this.config.session.maxLifetime,
      ip: meta.ip,
      userAgent: meta.userAgent,
    };
    const { token, session: created } = await this.sessions.create(session);
    return { token, session: created, user };
  }

  /** Sets a new password after checking the current one; ends the user's other sessions by default. */
  async changePassword(
    user: UserEntity,
    currentSessionId: string,
    input: { currentPassword: string; newPassword: string; revokeOtherSessions?: boolean },
  ): Promise<number> {
    if (!(await this.passwords.verify(user.passwordHash, input.currentPassword))) {
      // 403, not 401: the session itself is fine, only the password is wrong.
      throw new ApiError('invalid_credentials', 'Current password is wrong', undefined, 403);
    }
    await this.users.setPassword(user.id, input.newPassword);
    if (input.revokeOtherSessions === false) return 0;
    return this.sessions.revokeAll(user.id, { except: currentSessionId });
  }
}
