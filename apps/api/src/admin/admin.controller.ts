import { Controller, Delete, Get, Inject, Post } from '@nestjs/common';
import { CONFIG, type Config } from '../infra/config/config.js';
import {
  ConsoleAccess,
  CreateSessionTokenRequest,
  ImpersonationAllowed,
  CreateSessionTokenResponse,
  ListQuery,
  RevokedResponse,
  SessionPage,
  User,
  type Page,
  type Session,
} from '@tessera/dto';
import { Auth } from '../infra/http/auth.decorator.js';
import { Contract, Errors, IdParam, UuidParam, ValidBody, ValidQuery } from '../infra/http/contract.decorator.js';
import { notFound } from '../infra/http/api-error.js';
import { CurrentActor, CurrentPrincipal, type Actor, type Principal } from '../auth/principal.js';
import { MfaService } from '../mfa/mfa.service.js';
import { SessionService, toSessionDto } from '../sessions/session.service.js';
import { SignOutService } from '../sessions/sign-out.service.js';
import { UserService, toUserDto } from '../users/user.service.js';
import { AccessService } from './access.service.js';
import { ImpersonationService } from './impersonation.service.js';
import { UserAdminService } from './user-admin.service.js';

@Controller('v1/admin')
export class AdminController {
  constructor(
    private readonly impersonation: ImpersonationService,
    private readonly userAdmin: UserAdminService,
    private readonly users: UserService,
    private readonly sessions: SessionService,
    private readonly signOuts: SignOutService,
    private readonly mfa: MfaService,
    private readonly access: AccessService,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  /** Asked by the console when it opens: what it may show this person. The API decides each action again. */
  @Get('access')
  @Auth('admin', 'user', 'impersonation')
  @Contract({
    summary: 'What the caller may do in the admin console: super admin, the tenants they administer',
    response: ConsoleAccess,
  })
  consoleAccess(@CurrentPrincipal() principal: Principal): Promise<ConsoleAccess> {
    return this.access.of(principal);
  }

  /** The console shows "Act as" only when this says yes. */
  @Get('users/:userId/impersonation')
  @Auth('admin', 'user')
  @Contract({
    summary: 'Whether the caller may impersonate this user now (an unknown user is a no)',
    response: ImpersonationAllowed,
  })
  async mayImpersonate(
    @IdParam('userId') userId: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ImpersonationAllowed> {
    return {
      allowed: await this.impersonation.allowed(principal, userId),
      maxSeconds: this.config.impersonationMaxSeconds,
    };
  }

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

  @Delete('users/:userId/sessions/:sessionId')
  @Auth('admin')
  @Contract({ summary: 'End one session of a user', status: 204 })
  async endUserSession(
    @IdParam('userId') userId: string,
    @UuidParam('sessionId') sessionId: string,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    await this.users.getById(userId);
    if (!(await this.signOuts.revokeOne(userId, sessionId, actor))) throw notFound('session', sessionId);
  }

  @Delete('users/:userId/mfa')
  @Auth('admin')
  @Contract({
    summary: "Reset a user's second factor (TOTP and recovery codes); every session of the user ends",
    response: RevokedResponse,
    status: 200,
  })
  async resetMfa(@IdParam('userId') userId: string, @CurrentActor() actor: Actor): Promise<RevokedResponse> {
    const revoked = await this.mfa.reset(userId, actor, (tx) => this.sessions.revokeAll(userId, { manager: tx }));
    return { revoked };
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
}
