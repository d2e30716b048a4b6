import { Controller, Delete, Get, Post } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  ApiKeyPage,
  AuditEventPage,
  AuditEventQuery,
  CreateApiKeyRequest,
  CreateApiKeyResponse,
  CreateSessionTokenRequest,
  CreateSessionTokenResponse,
  ListQuery,
  RevokedResponse,
  SessionPage,
  User,
  type ApiKey,
  type AuditEvent,
  type Page,
  type Session,
} from '@tessera/dto';
import { AuditService, toAuditEventDto } from '../audit/audit.service.js';
import { Auth } from '../auth/auth.decorator.js';
import { Contract, Errors, IdParam, UuidParam, ValidBody, ValidQuery } from '../common/contract.decorator.js';
import { CurrentActor, CurrentPrincipal, type Actor, type Principal } from '../auth/principal.js';
import { SessionService, toSessionDto } from '../session/session.service.js';
import { SignOutService } from '../session/sign-out.service.js';
import { UserService, toUserDto } from '../tenant/user.service.js';
import { ApiKeyService, toApiKeyDto } from './api-key.service.js';
import { ImpersonationService } from './impersonation.service.js';
import { UserAdminService } from './user-admin.service.js';

@Controller('v1/admin')
export class AdminController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly impersonation: ImpersonationService,
    private readonly apiKeys: ApiKeyService,
    private readonly userAdmin: UserAdminService,
    private readonly users: UserService,
    private readonly sessions: SessionService,
    private readonly signOuts: SignOutService,
    private readonly audit: AuditService,
  ) {}

  /** Admins, and tenant admins for their own tenant's members (decided in ImpersonationService). */
  @Post('session-tokens')
  @Auth('admin', 'user')
  @Contract({
    summary: 'Impersonate: a session token for another user',
    body: CreateSessionTokenRequest,
    response: CreateSessionTokenResponse,
    status: 201,
  })
  @Errors('user_disabled')
  async createSessionToken(
    @ValidBody() body: CreateSessionTokenRequest,
    @CurrentPrincipal() principal: Principal,
    @CurrentActor() actor: Actor,
  ): Promise<CreateSessionTokenResponse> {
    const { token, session } = await this.impersonation.start(principal, body, actor);
    return { token, session: toSessionDto(session) };
  }

  @Get('users/:userId/sessions')
  @Auth('admin')
  @Contract({ summary: "A user's live sessions", query: ListQuery, response: SessionPage })
  async userSessions(@IdParam('userId') userId: string, @ValidQuery() query: ListQuery): Promise<Page<Session>> {
    await this.users.getById(userId);
    const page = await this.sessions.listActive(userId, query);
    return { items: page.items.map((s) => toSessionDto(s)), next: page.next };
  }

  @Delete('users/:userId/sessions')
  @Auth('admin')
  @Contract({ summary: 'End every session of a user', response: RevokedResponse, status: 200 })
  async endUserSessions(@IdParam('userId') userId: string, @CurrentActor() actor: Actor): Promise<RevokedResponse> {
    await this.users.getById(userId);
    return { revoked: await this.signOuts.revokeAllOf(userId, actor) };
  }

  @Post('users/:userId/disable')
  @Auth('admin')
  @Contract({ summary: 'Disable a user; every session ends in the same transaction', response: User, status: 200 })
  async disable(@IdParam('userId') userId: string, @CurrentActor() actor: Actor): Promise<User> {
    return toUserDto(await this.userAdmin.disable(userId, actor));
  }

  @Post('users/:userId/enable')
  @Auth('admin')
  @Contract({ summary: 'Enable a disabled user', response: User, status: 200 })
  async enable(@IdParam('userId') userId: string, @CurrentActor() actor: Actor): Promise<User> {
    return toUserDto(await this.userAdmin.enable(userId, actor));
  }

  @Post('api-keys')
  @Auth('admin')
  @Contract({
    summary: 'Create an API key; its secret is shown once',
    body: CreateApiKeyRequest,
    response: CreateApiKeyResponse,
    status: 201,
  })
  createApiKey(@ValidBody() body: CreateApiKeyRequest, @CurrentActor() actor: Actor): Promise<CreateApiKeyResponse> {
    return this.dataSource.transaction(async (m) => {
      const { key, secret } = await this.apiKeys.create(
        {
          name: body.name,
          role: body.roles[0],
          expiresAt: body.expiresAt === undefined ? undefined : Date.parse(body.expiresAt),
        },
        m,
      );
      await this.audit.record(m, {
        type: 'api_key.created',
        actor,
        details: { apiKeyId: key.id, name: key.name, role: key.role },
      });
      return { apiKey: toApiKeyDto(key), secret };
    });
  }

  @Get('api-keys')
  @Auth('admin')
  @Contract({ summary: 'List API keys (never their secrets)', query: ListQuery, response: ApiKeyPage })
  async listApiKeys(@ValidQuery() query: ListQuery): Promise<Page<ApiKey>> {
    const page = await this.apiKeys.list(query);
    return { items: page.items.map(toApiKeyDto), next: page.next };
  }

  @Delete('api-keys/:id')
  @Auth('admin')
  @Contract({ summary: 'Revoke an API key, effective on its next request', status: 204 })
  async revokeApiKey(@UuidParam('id') id: string, @CurrentActor() actor: Actor): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const key = await this.apiKeys.revoke(id, m);
      await this.audit.record(m, { type: 'api_key.revoked', actor, details: { apiKeyId: key.id, name: key.name } });
    });
  }

  @Get('audit-events')
  @Auth('admin')
  @Contract({ summary: 'The audit log, newest first', query: AuditEventQuery, response: AuditEventPage })
  async auditEvents(@ValidQuery() query: AuditEventQuery): Promise<Page<AuditEvent>> {
    const page = await this.audit.list(query);
    return { items: page.items.map(toAuditEventDto), next: page.next };
  }
}
