import { Controller, Post } from '@nestjs/common';
import {
  AcceptedResponse,
  ChangeEmailRequest,
  PasswordResetConfirmRequest,
  PasswordResetRequest,
  RevokedResponse,
  SignUpRequest,
  VerifyEmailRequest,
  VerifyEmailResponse,
} from '@tessera/dto';
import { CurrentActor, CurrentSession, type Actor, type SessionPrincipal } from '../auth/principal.js';
import { Auth, Public } from '../infra/http/auth.decorator.js';
import { Contract, Errors, ValidBody } from '../infra/http/contract.decorator.js';
import { toUserDto } from '../users/user.service.js';
import { AccountService } from './account.service.js';

const ACCEPTED: AcceptedResponse = { accepted: true };

/** Password reset, email verification and change, sign-up. */
@Controller('v1/auth')
export class AccountController {
  constructor(private readonly accounts: AccountService) {}

  @Post('password-reset')
  @Public()
  @Contract({
    summary: 'Ask for a password reset link; the same answer whether or not the address has an account',
    body: PasswordResetRequest,
    response: AcceptedResponse,
    status: 202,
  })
  @Errors('too_many_requests')
  async requestPasswordReset(@ValidBody() body: PasswordResetRequest, @CurrentActor() actor: Actor) {
    await this.accounts.requestPasswordReset(body.email, actor);
    return ACCEPTED;
  }

  @Post('password-reset/confirm')
  @Public()
  @Contract({
    summary: 'Set a new password with the token of a reset link; every session of the user ends',
    body: PasswordResetConfirmRequest,
    response: RevokedResponse,
    status: 200,
  })
  @Errors('invalid_token', 'weak_password', 'too_many_requests')
  async confirmPasswordReset(
    @ValidBody() body: PasswordResetConfirmRequest,
    @CurrentActor() actor: Actor,
  ): Promise<RevokedResponse> {
    return { revoked: await this.accounts.confirmPasswordReset(body.token, body.newPassword, actor) };
  }

  @Post('verify-email')
  @Public()
  @Contract({
    summary: 'Verify an email address (or complete an email change) with the token of its link',
    body: VerifyEmailRequest,
    response: VerifyEmailResponse,
    status: 200,
  })
  @Errors('invalid_token', 'duplicate_record', 'too_many_requests')
  async verifyEmail(@ValidBody() body: VerifyEmailRequest, @CurrentActor() actor: Actor): Promise<VerifyEmailResponse> {
    return { user: toUserDto(await this.accounts.verifyEmail(body.token, actor)) };
  }

  @Post('verify-email/request')
  @Auth('user')
  @Contract({ summary: 'Mail me a link that verifies my address', response: AcceptedResponse, status: 202 })
  @Errors('too_many_requests')
  async requestVerification(@CurrentSession() { user }: SessionPrincipal, @CurrentActor() actor: Actor) {
    await this.accounts.requestVerification(user, actor);
    return ACCEPTED;
  }

  @Post('change-email')
  @Auth('user')
  @Contract({
    summary: 'Move my account to another address: applies when the link sent there is opened',
    body: ChangeEmailRequest,
    response: AcceptedResponse,
    status: 202,
  })
  @Errors({ code: 'invalid_credentials', status: 403 }, 'duplicate_record', 'too_many_requests')
  async changeEmail(
    @ValidBody() body: ChangeEmailRequest,
    @CurrentSession() { user }: SessionPrincipal,
    @CurrentActor() actor: Actor,
  ) {
    await this.accounts.requestEmailChange(user, body.password, body.newEmail, actor);
    return ACCEPTED;
  }

  @Post('sign-up')
  @Public()
  @Contract({
    summary: 'Create an account (when sign-up is open); the same answer whether or not the address has one',
    body: SignUpRequest,
    response: AcceptedResponse,
    status: 202,
  })
  @Errors('sign_up_closed', 'weak_password', 'too_many_requests')
  async signUp(@ValidBody() body: SignUpRequest, @CurrentActor() actor: Actor) {
    await this.accounts.signUp(body.email, body.password, actor);
    return ACCEPTED;
  }
}
