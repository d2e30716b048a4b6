import { Inject, Injectable } from '@nestjs/common';
import { TransactionRunner } from '../infra/database/transaction-runner.js';
import { HttpAdapterHost } from '@nestjs/core';
import { BUILT_IN_PERMISSIONS, type CreateSelfServiceSessionRequest } from '@tessera/dto';
import { AuditService } from '../audit/audit.service.js';
import { ApiError, forbidden, notFound } from '../infra/http/api-error.js';
import { randomSecret, sha256Hex } from '../common/crypto.js';
import { secondsWithin } from '../common/duration.js';
import type { Actor } from '../auth/principal.js';
import { CONFIG, listeningUrl, type Config } from '../infra/config/config.js';
import type { SessionEntity } from '../sessions/session.entity.js';
import { SessionService } from '../sessions/session.service.js';
import { CatalogService } from '../directory/catalog.service.js';
import type { RoleEntity } from '../directory/directory.entity.js';
import { CheckService } from '../check/check.service.js';
import { GrantService } from '../directory/grant.service.js';
import { TenantService } from '../directory/tenant.service.js';
import type { UserEntity } from '../users/user.entity.js';
import { UserService } from '../users/user.service.js';
import { SelfServiceCodeRepository } from './self-service-code.repository.js';

export const VIEW_DASHBOARD = BUILT_IN_PERMISSIONS[0]; // 'view-self-service-dashboard'
const CODE_LIFETIME_MS = 60_000;
/** Roles considered when listing what a dashboard user may assign. */
const MAX_ROLES_CONSIDERED = 1000;

/** Self-service dashboard sessions: minting, the one-time link code, and the no-escalation rule. */
@Injectable()
export class SelfServiceService {
  constructor(
    private readonly db: TransactionRunner,
    private readonly codes: SelfServiceCodeRepository,
    private readonly sessions: SessionService,
    private readonly users: UserService,
    private readonly tenants: TenantService,
    private readonly grants: GrantService,
    private readonly checks: CheckService,
    private readonly catalog: CatalogService,
    private readonly audit: AuditService,
    private readonly http: HttpAdapterHost,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  /** The public base of dashboard links: TESSERA_PUBLIC_URL, else the address this server listens on. */
  private publicUrl(): string {
    if (this.config.publicUrl) return this.config.publicUrl;
    const server = this.http.httpAdapter.getHttpServer() as import('node:http').Server;
    return listeningUrl(this.config.host, server.address(), this.config.port);
  }

  private checkRedirect(redirectUrl: string | undefined): void {
    if (redirectUrl === undefined) return;
    if (!this.config.selfServiceRedirectOrigins.includes(new URL(redirectUrl).origin)) {
      throw new ApiError('invalid_request', 'The request is not valid', {
        fields: { redirectUrl: 'origin is not in TESSERA_SELF_SERVICE_REDIRECT_ORIGINS' },
      });
    }
  }

  /** A user may use the dashboard of a tenant only while holding view-self-service-dashboard there. */
  async requireDashboardAccess(user: UserEntity, tenantId: string): Promise<void> {
    if (user.disabledAt !== null) throw new ApiError('user_disabled', 'This account is disabled');
    if (!(await this.checks.hasPermission(user.id, tenantId, VIEW_DASHBOARD))) {
      throw new ApiError('missing_permission', `The user does not hold ${VIEW_DASHBOARD} in this tenant`, {
        permission: VIEW_DASHBOARD,
        tenantId,
      });
    }
  }

  /** `POST /v1/sessions {type: "ssdash"}`: a session token for the backend and a one-time link for the person. */
  async create(
    request: CreateSelfServiceSessionRequest,
    actor: Actor,
  ): Promise<{ token: string; url: string; expiresAt: number }> {
    const ttl = secondsWithin('ttl', request.ttl, 1800, this.config.selfServiceSessionMaxTtl);
    this.checkRedirect(request.redirectUrl);
    // Before the user is read: the session and its link date from here (see NewSession.authorizedAt).
    const authorizedAt = Date.now();
    const user = await this.users.getById(request.userId);
    await this.tenants.get(request.tenantId);
    await this.requireDashboardAccess(user, request.tenantId);

    const code = randomSecret();
    const now = Date.now();
    const { token, session } = await this.db.transaction(async (m) => {
      const created = await this.sessions.create(
        {
          userId: user.id,
          type: 'self_service',
          tenantId: request.tenantId,
          expiration: ttl,
          lifetime: ttl,
          authorizedAt,
        },
        m,
      );
      await this.codes.removeExpiredBefore(m, now - 24 * 3600_000);
      await this.codes.create(m, {
        codeHash: sha256Hex(code),
        userId: user.id,
        tenantId: request.tenantId,
        redirectUrl: request.redirectUrl ?? null,
        sessionExpiresAt: created.session.absoluteExpiresAt,
        expiresAt: now + CODE_LIFETIME_MS,
        usedAt: null,
        createdAt: authorizedAt,
      });
      await this.audit.record(m, {
        type: 'client_session.created',
        actor,
        userId: user.id,
        sessionId: created.session.id,
        tenantId: request.tenantId,
        details: { type: 'ssdash', ttl },
      });
      return created;
    });
    const fragment = new URLSearchParams({ code });
    if (request.redirectUrl !== undefined) fragment.set('redirectUrl', request.redirectUrl);
    return { token, url: `${this.publicUrl()}/self-service#${fragment.toString()}`, expiresAt: session.expiresAt };
  }

  /**
   * Turns a link's one-time code into a dashboard session. Unknown: unauthorized; used: token_revoked;
   * older than 60 s: token_expired. Claiming and minting share a transaction, so a failure burns nothing.
   */
  async exchange(
    code: string,
    actor: Actor,
  ): Promise<{ token: string; session: SessionEntity; redirectUrl: string | null }> {
    const codeHash = sha256Hex(code);
    return this.db.transaction(async (m) => {
      const row = await this.codes.findByHash(m, codeHash);
      const now = Date.now();
      if (!row) throw new ApiError('unauthorized', 'This link is not valid');
      if (row.usedAt !== null) throw new ApiError('token_revoked', 'This link was already used');
      if (now >= row.expiresAt || now >= row.sessionExpiresAt)
        throw new ApiError('token_expired', 'This link has expired');
      if (!(await this.codes.claim(m, codeHash, now)))
        throw new ApiError('token_revoked', 'This link was already used');
      const user = await this.users.findById(row.userId);
      // A user created after the link is someone else who was given a deleted user's id.
      if (!user || user.createdAt > row.createdAt) throw new ApiError('unauthorized', 'This link is not valid');
      await this.requireDashboardAccess(user, row.tenantId);
      // Dated from the link, it ends when the backend's session of the same link ends.
      const remaining = Math.ceil((row.sessionExpiresAt - row.createdAt) / 1000);
      const { token, session } = await this.sessions.create(
        {
          userId: user.id,
          type: 'self_service',
          tenantId: row.tenantId,
          expiration: remaining,
          lifetime: remaining,
          ip: actor.ip ?? undefined,
          userAgent: actor.userAgent ?? undefined,
          // The link's session dates from the link: a sign-out everywhere since then ends it.
          authorizedAt: row.createdAt,
        },
        m,
      );
      await this.audit.record(m, {
        type: 'client_session.created',
        actor,
        userId: user.id,
        sessionId: session.id,
        tenantId: row.tenantId,
        details: { type: 'ssdash', via: 'exchange', ttl: remaining },
      });
      return { token, session, redirectUrl: row.redirectUrl };
    });
  }

  /**
   * Roles the dashboard user may grant or revoke in the tenant: those they hold there themselves
   * (in the tenant or globally) and whose every permission they hold there. A role without
   * permissions is no exception: holding it is what lets one hand it on.
   */
  async assignableRoles(dashboardUser: UserEntity, tenantId: string, held: Set<string>): Promise<RoleEntity[]> {
    const holdings = await this.checks.holdings(dashboardUser, [tenantId]);
    const ownRoles = [...(holdings.roles.get('') ?? []), ...(holdings.roles.get(tenantId) ?? [])].filter(
      (r) => r !== 'super_admin',
    );
    if (ownRoles.length === 0) return [];
    // In id order, the first MAX_ROLES_CONSIDERED of them.
    const ids = [...new Set(ownRoles)].sort();
    const roles = (await this.catalog.getMany('role', ids)).slice(0, MAX_ROLES_CONSIDERED);
    const links = await this.catalog.permissionsOfRoles(roles.map((r) => r.id));
    return roles.filter((r) => [...(links.get(r.id) ?? [])].every((p) => held.has(p)));
  }

  /** Grant or revoke, inside the session's tenant, only what the dashboard user holds there. */
  async change(
    dashboardUser: UserEntity,
    tenantId: string,
    target: { userId: string; kind: 'role' | 'permission'; id: string },
    add: boolean,
    actor: Actor,
  ): Promise<void> {
    if (!(await this.tenants.isMember(tenantId, target.userId))) throw notFound('member', target.userId);
    const held = await this.checks.permissionsIn(dashboardUser, tenantId);
    if (target.kind === 'permission') {
      await this.catalog.requireExisting('permission', [target.id]);
      if (!held.has(target.id)) throw forbidden('You cannot grant or revoke a permission you do not hold here');
    } else {
      await this.catalog.requireExisting('role', [target.id]);
      const assignable = await this.assignableRoles(dashboardUser, tenantId, held);
      if (!assignable.some((r) => r.id === target.id)) {
        throw forbidden('You can grant or revoke only a role you hold here yourself, never more than you hold');
      }
    }
    if (add) await this.grants.grantInTenant(target.kind, tenantId, target.userId, target.id, actor);
    else await this.grants.revokeInTenant(target.kind, tenantId, target.userId, target.id, actor);
  }
}
