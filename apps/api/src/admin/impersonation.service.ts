import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BUILT_IN_PERMISSIONS, type CreateSessionTokenRequest } from '@tessera/dto';
import { AuditService } from '../audit/audit.service.js';
import { ApiError, forbidden, notFound } from '../common/api-error.js';
import type { Actor, Principal } from '../common/principal.js';
import { CONFIG, type Config } from '../config/config.js';
import type { SessionEntity } from '../session/session.entity.js';
import { SessionService } from '../session/session.service.js';
import { GrantService } from '../tenant/grant.service.js';
import { TenantService } from '../tenant/tenant.service.js';
import type { UserEntity } from '../tenant/user.entity.js';
import { UserService } from '../tenant/user.service.js';

const IMPERSONATE = BUILT_IN_PERMISSIONS[1]; // 'impersonate-users'

/**
 * Contember's createSessionToken, made safer: who may act as whom is decided here, every
 * impersonation is time-boxed and recorded with the impersonator.
 */
@Injectable()
export class ImpersonationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UserService,
    private readonly tenants: TenantService,
    private readonly grants: GrantService,
    private readonly sessions: SessionService,
    private readonly audit: AuditService,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  async start(
    principal: Principal,
    request: CreateSessionTokenRequest,
    actor: Actor,
  ): Promise<{ token: string; session: SessionEntity }> {
    const target =
      request.userId !== undefined ? await this.users.findById(request.userId) : await this.users.findByEmail(request.email!);
    if (!target) throw notFound('user', request.userId ?? request.email!);
    const via = await this.authorize(principal, target);
    if (target.disabledAt !== null) throw new ApiError('user_disabled', 'This account is disabled');

    const max = this.config.impersonationMaxSeconds;
    const expiration = Math.min(request.expiration ?? this.config.session.defaultExpiration, max);
    const impersonatorId = principal.kind === 'api_key' ? `api-key:${principal.apiKey.id}` : principal.user.id;
    return this.dataSource.transaction(async (m) => {
      const created = await this.sessions.create(
        { userId: target.id, type: 'impersonation', expiration, lifetime: max, impersonatorId, ip: actor.ip ?? undefined, userAgent: actor.userAgent ?? undefined },
        m,
      );
      await this.audit.record(m, {
        type: 'impersonation.started',
        actor,
        userId: target.id,
        sessionId: created.session.id,
        tenantId: via.tenantId ?? null,
        details: { via: via.kind, expiration, lifetime: max },
      });
      return created;
    });
  }

  /**
   * A super admin or an admin key may act as anyone but a super admin. A user holding
   * impersonate-users in a tenant may act as that tenant's members who are neither super admins
   * nor hold impersonate-users anywhere. Nobody else.
   */
  private async authorize(principal: Principal, target: UserEntity): Promise<{ kind: string; tenantId?: string }> {
    if (target.superAdmin) throw forbidden('Nobody may impersonate a super admin');
    if (principal.kind === 'api_key') return { kind: 'api_key' };
    const me = principal.user;
    if (principal.session.type !== 'user') throw forbidden('Only a signed-in person may impersonate');
    if (me.superAdmin) return { kind: 'super_admin' };
    if (me.id === target.id) throw forbidden('You cannot impersonate yourself');
    const shared = await this.tenants.tenantIdsOf(target.id);
    const held = shared.length === 0 ? [] : await this.grants.check(me.id, shared.map((tenantId) => ({ permission: IMPERSONATE, tenantId })));
    const tenantId = shared.find((_, i) => held[i]);
    if (tenantId === undefined) throw forbidden('You may not impersonate this user');
    if (await this.grants.holdsAnywhere(target, IMPERSONATE)) {
      throw forbidden('A tenant admin may not impersonate another user who can impersonate');
    }
    return { kind: 'tenant_admin', tenantId };
  }
}
