import { Controller, Delete, Get, Post, Put } from '@nestjs/common';
import {
  ExchangeCodeRequest,
  ExchangeCodeResponse,
  ListQuery,
  SelfServiceContext,
  SelfServiceMemberPage,
  type Member,
  type Page,
} from '@tessera/dto';
import { Auth, Public } from '../infra/http/auth.decorator.js';
import { Contract, Errors, IdParam, ValidBody, ValidQuery } from '../infra/http/contract.decorator.js';
import { CurrentActor, CurrentSession, type Actor, type SessionPrincipal } from '../auth/principal.js';
import { toSessionDto } from '../sessions/session.service.js';
import { CatalogService } from '../directory/catalog.service.js';
import { CheckService } from '../check/check.service.js';
import { TenantService, toTenantDto } from '../directory/tenant.service.js';
import { toUserDto } from '../users/user.service.js';
import { RateLimitService } from '../rate-limit/rate-limit.service.js';
import { SelfServiceService } from './self-service.service.js';

/** The dashboard's API: one user, one tenant, never more than the user holds there. */
@Controller('v1/self-service')
export class SelfServiceController {
  constructor(
    private readonly selfService: SelfServiceService,
    private readonly tenants: TenantService,
    private readonly checks: CheckService,
    private readonly catalog: CatalogService,
    private readonly limits: RateLimitService,
  ) {}

  @Post('exchange')
  @Public()
  @Contract({
    summary: "Exchange a dashboard link's one-time code for its session",
    body: ExchangeCodeRequest,
    response: ExchangeCodeResponse,
    status: 200,
  })
  @Errors('unauthorized', 'token_expired', 'token_revoked', 'user_disabled', 'missing_permission', 'too_many_requests')
  async exchange(@ValidBody() body: ExchangeCodeRequest, @CurrentActor() actor: Actor): Promise<ExchangeCodeResponse> {
    await this.limits.perIp('exchange', actor.ip ?? 'unknown');
    const { token, session, redirectUrl } = await this.selfService.exchange(body.code, actor);
    return { token, session: toSessionDto(session, session.id), redirectUrl };
  }

  /** The session's tenant, after checking the user may still use its dashboard. */
  private async tenantOf({ session, user }: SessionPrincipal): Promise<string> {
    const tenantId = session.tenantId!;
    await this.selfService.requireDashboardAccess(user, tenantId);
    return tenantId;
  }

  @Get('context')
  @Auth('self_service')
  @Contract({
    summary: 'The tenant, the dashboard user, what they hold and which roles they may assign',
    response: SelfServiceContext,
  })
  async context(@CurrentSession() principal: SessionPrincipal): Promise<SelfServiceContext> {
    const tenantId = await this.tenantOf(principal);
    const held = await this.checks.permissionsIn(principal.user, tenantId);
    return {
      tenant: toTenantDto(await this.tenants.get(tenantId)),
      user: toUserDto(principal.user),
      permissions: [...held].sort(),
      assignableRoles: await this.catalog.toRoleDtos(
        await this.selfService.assignableRoles(principal.user, tenantId, held),
      ),
    };
  }

  @Get('members')
  @Auth('self_service')
  @Contract({
    summary: "The session's tenant's members with their roles and permissions there",
    query: ListQuery,
    response: SelfServiceMemberPage,
  })
  async members(@CurrentSession() principal: SessionPrincipal, @ValidQuery() query: ListQuery): Promise<Page<Member>> {
    return this.tenants.members(await this.tenantOf(principal), query);
  }

  @Put('members/:userId/roles/:roleId')
  @Auth('self_service')
  @Contract({ summary: 'Grant a role you could hold yourself to a member of your tenant', status: 204 })
  async grantRole(
    @CurrentSession() p: SessionPrincipal,
    @IdParam('userId') userId: string,
    @IdParam('roleId') id: string,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    await this.selfService.change(p.user, await this.tenantOf(p), { userId, kind: 'role', id }, true, actor);
  }

  @Delete('members/:userId/roles/:roleId')
  @Auth('self_service')
  @Contract({ summary: 'Revoke such a role from a member of your tenant', status: 204 })
  async revokeRole(
    @CurrentSession() p: SessionPrincipal,
    @IdParam('userId') userId: string,
    @IdParam('roleId') id: string,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    await this.selfService.change(p.user, await this.tenantOf(p), { userId, kind: 'role', id }, false, actor);
  }

  @Put('members/:userId/permissions/:permissionId')
  @Auth('self_service')
  @Contract({ summary: 'Grant a permission you hold to a member of your tenant', status: 204 })
  async grantPermission(
    @CurrentSession() p: SessionPrincipal,
    @IdParam('userId') userId: string,
    @IdParam('permissionId') id: string,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    await this.selfService.change(p.user, await this.tenantOf(p), { userId, kind: 'permission', id }, true, actor);
  }

  @Delete('members/:userId/permissions/:permissionId')
  @Auth('self_service')
  @Contract({ summary: 'Revoke a permission you hold from a member of your tenant', status: 204 })
  async revokePermission(
    @CurrentSession() p: SessionPrincipal,
    @IdParam('userId') userId: string,
    @IdParam('permissionId') id: string,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    await this.selfService.change(p.user, await this.tenantOf(p), { userId, kind: 'permission', id }, false, actor);
  }
}
