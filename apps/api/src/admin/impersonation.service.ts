import { Inject, Injectable } from '@nestjs/common';
import { TransactionRunner } from '../infra/database/transaction-runner.js';
import { BUILT_IN_PERMISSIONS, type CreateSessionTokenRequest } from '@tessera/dto';
import { AuditService } from '../audit/audit.service.js';
import { ApiError, forbidden } from '../infra/http/api-error.js';
import type { Actor, Principal } from '../auth/principal.js';
import { CONFIG, type Config } from '../infra/config/config.js';
import type { SessionEntity } from '../sessions/session.entity.js';
import { SessionService } from '../sessions/session.service.js';
import { CheckService } from '../check/check.service.js';
import { TenantService } from '../directory/tenant.service.js';
import type { UserEntity } from '../users/user.entity.js';
import { API_KEY_IMPERSONATOR, UserService } from '../users/user.service.js';
import { ApiKeyService } from '../api-keys/api-key.service.js';

const IMPERSONATE = BUILT_IN_PERMISSIONS[1]; // 'impersonate-users'

/** Every refusal once the caller may impersonate at all: an unknown target looks like a forbidden one. */
export const NOT_THIS_USER = 'You may not impersonate this user';
const notThisUser = () => forbidden(NOT_THIS_USER);
const ended = () => new ApiError('token_revoked', 'This impersonation has ended');

/** Who started an impersonation, and the tenant that confines it when a tenant admin did. */
type Right = { kind: 'api_key' } | { kind: 'super_admin' } | { kind: 'tenant_admin'; tenantId: string };

/**
 * Contember's createSessionToken, made safer: who may act as whom is decided here, every
 * impersonation is time-boxed, recorded with the impersonator, and re-checked on each request.
 */
@Injectable()
export class ImpersonationService {
  constructor(
    private readonly db: TransactionRunner,
    private readonly users: UserService,
    private readonly tenants: TenantService,
    private readonly checks: CheckService,
    private readonly sessions: SessionService,
    private readonly apiKeys: ApiKeyService,
    private readonly audit: AuditService,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  async start(
    principal: Principal,
    request: CreateSessionTokenRequest,
    actor: Actor,
  ): Promise<{ token: string; session: SessionEntity }> {
    // Whether the caller may impersonate anyone is decided before the target is looked up.
    await this.requireImpersonator(principal);
    const target =
      request.userId !== undefined
        ? await this.users.findById(request.userId)
        : await this.users.findByEmail(request.email!);
    if (!target) throw notThisUser();
    const right = await this.authorize(principal, target);
    if (target.disabledAt !== null) throw new ApiError('user_disabled', 'This account is disabled');

    const max = this.config.impersonationMaxSeconds;
    const lifetime = Math.min(request.lifetime ?? max, max);
    const expiration = Math.min(request.expiration ?? this.config.session.defaultExpiration, lifetime);
    const impersonatorId =
      principal.kind === 'api_key' ? `${API_KEY_IMPERSONATOR}${principal.apiKey.id}` : principal.user.id;
    const tenantId = right.kind === 'tenant_admin' ? right.tenantId : undefined;
    return this.db.transaction(async (tx) => {
      const created = await this.sessions.create(
        {
          userId: target.id,
          type: 'impersonation',
          expiration,
          lifetime,
          impersonatorId,
          tenantId,
          // As of the impersonator's own rows: a sign-out everywhere racing this request ends it too.
          authorizedAt: principal.readAt,
          ip: actor.ip ?? undefined,
          userAgent: actor.userAgent ?? undefined,
        },
        tx,
      );
      await this.audit.record(tx, {
        type: 'impersonation.started',
        actor,
        userId: target.id,
        sessionId: created.session.id,
        tenantId: tenantId ?? null,
        details: {
          via: right.kind,
          expiration,
          lifetime,
          ...(request.reason === undefined ? {} : { reason: request.reason }),
        },
      });
      return created;
    });
  }

  /**
   * Whether `start` would give this caller a session for this user now: the same rules, answered
   * as a yes or no. An unknown user is a no, as a forbidden one is (no enumeration).
   */
  async allowed(principal: Principal, userId: string): Promise<boolean> {
    try {
      await this.requireImpersonator(principal);
      const target = await this.users.findById(userId);
      if (!target || target.disabledAt !== null) return false;
      await this.authorize(principal, target);
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.code === 'forbidden') return false;
      throw error;
    }
  }

  /**
   * Called on every request of an impersonation session: the right that started it must still
   * hold, for this impersonator and this target. When it does not, the session is revoked for
   * good (a right given back later does not revive it) and the request is 401 token_revoked.
   * Only impersonation sessions pay for this; a user's own session does not.
   */
  async confirm(session: SessionEntity, target: UserEntity): Promise<void> {
    if (await this.stillAllowed(session, target)) return;
    await this.sessions.revoke(session.userId, session.id);
    throw ended();
  }

  private async stillAllowed(session: SessionEntity, target: UserEntity): Promise<boolean> {
    const by = session.impersonatorId;
    if (by === null || target.superAdmin) return false;
    if (by.startsWith(API_KEY_IMPERSONATOR)) return this.apiKeys.isLiveAdminKey(by.slice(API_KEY_IMPERSONATOR.length));
    const impersonator = await this.users.findById(by);
    if (
      !impersonator ||
      impersonator.disabledAt !== null ||
      impersonator.createdAt > session.createdAt ||
      (impersonator.sessionsValidAfter !== null && session.createdAt <= impersonator.sessionsValidAfter)
    ) {
      return false;
    }
    if (session.tenantId === null) return impersonator.superAdmin;
    return this.tenantAdminMay(impersonator, target, session.tenantId);
  }

  /** A caller who may impersonate nobody is refused before any user is looked up. */
  private async requireImpersonator(principal: Principal): Promise<void> {
    if (principal.kind === 'api_key') return;
    if (principal.session.type !== 'user') throw forbidden('Only a signed-in person may impersonate');
    if (principal.user.superAdmin || (await this.checks.holdsAnywhere(principal.user, IMPERSONATE))) return;
    throw forbidden('You may not impersonate users');
  }

  /**
   * A super admin or an admin key may act as anyone but a super admin. A user holding
   * impersonate-users in a tenant may act as that tenant's members who are neither super admins
   * nor hold impersonate-users anywhere, and the session is confined to that tenant.
   */
  private async authorize(principal: Principal, target: UserEntity): Promise<Right> {
    if (target.superAdmin) throw notThisUser();
    if (principal.kind === 'api_key') return { kind: 'api_key' };
    const me = principal.user;
    if (me.superAdmin) return { kind: 'super_admin' };
    const shared = await this.tenants.tenantIdsOf(target.id);
    const held =
      shared.length === 0
        ? []
        : await this.checks.check(
            me.id,
            shared.map((tenantId) => ({ permission: IMPERSONATE, tenantId })),
          );
    const tenantId = shared.find((_, i) => held[i]);
    if (tenantId === undefined || !(await this.tenantAdminMay(me, target, tenantId))) throw notThisUser();
    return { kind: 'tenant_admin', tenantId };
  }

  /** The tenant admin's rule, at the start and on every request after it. */
  private async tenantAdminMay(impersonator: UserEntity, target: UserEntity, tenantId: string): Promise<boolean> {
    const [holds] = await this.checks.check(impersonator.id, [{ permission: IMPERSONATE, tenantId }]);
    return (
      holds === true &&
      impersonator.id !== target.id &&
      (await this.tenants.isMember(tenantId, target.id)) &&
      !(await this.checks.holdsAnywhere(target, IMPERSONATE))
    );
  }
}
