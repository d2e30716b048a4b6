import { Controller, Delete, Get, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import {
  ChangePasswordRequest,
  CurrentSessionResponse,
  ListQuery,
  MfaChallengeResponse,
  RevokedResponse,
  SessionPage,
  SignInMfaRequest,
  SignInRequest,
  SignInResponse,
  SignOutRequest,
  type Page,
  type Session,
  type SignInResult,
} from '@tessera/dto';
import { ApiError, notFound } from '../infra/http/api-error.js';
import { ANY_SESSION, Auth, DuringEnrolment, PERSON_SESSION } from '../infra/http/auth.decorator.js';
import { iso } from '../infra/database/columns.js';
import { Contract, Errors, UuidParam, ValidBody, ValidQuery } from '../infra/http/contract.decorator.js';
import { CurrentActor, CurrentSession, type Actor, type SessionPrincipal } from '../auth/principal.js';
import { toUserDto } from '../users/user.service.js';
import { SessionService, toSessionDto } from './session.service.js';
import { SignInService, type SignedIn } from './sign-in.service.js';
import { SignOutService } from './sign-out.service.js';

@Controller()
export class SessionController {
  constructor(
    private readonly signIns: SignInService,
    private readonly sessions: SessionService,
    private readonly signOuts: SignOutService,
  ) {}

  @Post('v1/auth/sign-in')
  @Auth('sign-in')
  @Contract({
    summary: 'Sign in with email and password (and `otp`, the current code, for a user with a second factor)',
    body: SignInRequest,
    response: SignInResponse,
    status: 201,
    alternatives: [
      {
        status: 200,
        response: MfaChallengeResponse,
        description:
          'The user has a second factor and no `otp` was sent: no session yet; complete the sign-in at /v1/auth/sign-in/mfa',
      },
    ],
  })
  @Errors('invalid_credentials', 'invalid_otp', 'user_disabled', 'email_not_verified', 'too_many_requests')
  async signIn(
    @ValidBody() body: SignInRequest,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SignInResult> {
    const outcome = await this.signIns.signIn(body, actor);
    if (!outcome.mfaRequired) return signedIn(outcome);
    // The first step of two: nothing was created yet.
    void reply.status(200);
    return { mfaRequired: true, challenge: outcome.challenge, expiresAt: iso(outcome.expiresAt) };
  }

  @Post('v1/auth/sign-in/mfa')
  @Auth('sign-in')
  @Contract({
    summary: 'Complete a sign-in with the second factor: the challenge and a TOTP code or a recovery code',
    body: SignInMfaRequest,
    response: SignInResponse,
    status: 201,
  })
  @Errors('invalid_otp', 'user_disabled', 'too_many_requests')
  async signInMfa(@ValidBody() body: SignInMfaRequest, @CurrentActor() actor: Actor): Promise<SignInResponse> {
    return signedIn(await this.signIns.completeWithSecondFactor(body, actor));
  }

  @Post('v1/auth/sign-out')
  @Auth(...ANY_SESSION)
  @DuringEnrolment()
  @Contract({
    summary: 'End this session, or every session of this user',
    body: SignOutRequest,
    response: RevokedResponse,
    status: 200,
  })
  async signOut(
    @ValidBody() body: SignOutRequest,
    @CurrentSession() { session }: SessionPrincipal,
    @CurrentActor() actor: Actor,
  ): Promise<RevokedResponse> {
    // Only the person's own sign-in may end everything; an impersonation or a client session ends itself.
    if (body.all === true && session.type !== 'user') {
      throw new ApiError('forbidden', `A ${session.type} session may end itself, not every session of the user`);
    }
    return { revoked: await this.signOuts.signOut(session, body.all === true, actor) };
  }

  @Get('v1/sessions/current')
  @Auth(...ANY_SESSION)
  @DuringEnrolment()
  @Contract({ summary: 'The calling session and its user', response: CurrentSessionResponse })
  current(@CurrentSession() { session, user }: SessionPrincipal): CurrentSessionResponse {
    return { session: toSessionDto(session, session.id), user: toUserDto(user) };
  }

  @Get('v1/sessions')
  @Auth(...PERSON_SESSION)
  @Contract({ summary: "The caller's live sessions, the current one flagged", query: ListQuery, response: SessionPage })
  async list(@ValidQuery() query: ListQuery, @CurrentSession() { session }: SessionPrincipal): Promise<Page<Session>> {
    // An impersonator sees the session they act through, not the person's own sessions.
    if (session.type === 'impersonation') return { items: [toSessionDto(session, session.id)], next: null };
    const page = await this.sessions.listActive(session.userId, query);
    return { items: page.items.map((s) => toSessionDto(s, session.id)), next: page.next };
  }

  @Delete('v1/sessions/:id')
  @Auth(...PERSON_SESSION)
  @Contract({ summary: 'End one of my sessions', status: 204 })
  async revoke(
    @UuidParam('id') id: string,
    @CurrentSession() { session }: SessionPrincipal,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    // Another user's session id is indistinguishable from an unknown one; so is, for an
    // impersonation, any session of the person but itself.
    if (session.type === 'impersonation' && id !== session.id) throw notFound('session', id);
    if (!(await this.signOuts.revokeOne(session.userId, id, actor))) throw notFound('session', id);
  }

  @Post('v1/auth/change-password')
  @Auth('user')
  @Contract({
    summary: 'Change my password; ends my other sessions unless told not to',
    body: ChangePasswordRequest,
    response: RevokedResponse,
    status: 200,
  })
  @Errors({ code: 'invalid_credentials', status: 403 }, 'too_many_requests')
  async changePassword(
    @ValidBody() body: ChangePasswordRequest,
    @CurrentSession() { user }: SessionPrincipal,
    @CurrentActor() actor: Actor,
  ): Promise<RevokedResponse> {
    return { revoked: await this.signIns.changePassword(user, actor, body) };
  }
}

function signedIn({ token, session, user }: SignedIn): SignInResponse {
  return { token, session: toSessionDto(session, session.id), user: toUserDto(user) };
}
