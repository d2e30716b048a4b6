import { Controller, Delete, Get, Post } from '@nestjs/common';
import {
  BeginTotpRequest,
  BeginTotpResponse,
  ConfirmTotpRequest,
  MfaStatus,
  RecoveryCodesResponse,
  RevokedResponse,
  TotpChangeRequest,
} from '@tessera/dto';
import { CurrentActor, CurrentSession, type Actor, type SessionPrincipal } from '../auth/principal.js';
import { Auth, DuringEnrolment } from '../infra/http/auth.decorator.js';
import { Contract, Errors, ValidBody } from '../infra/http/contract.decorator.js';
import { MfaService } from '../mfa/mfa.service.js';
import { SessionService } from '../sessions/session.service.js';
import { SignInService } from '../sessions/sign-in.service.js';

/** The password, as these routes' 403 (not 401: the session itself is fine). */
const WRONG_PASSWORD = { code: 'invalid_credentials', status: 403 } as const;

/**
 * A person's own second factor: enrol, confirm, disable, new recovery codes. Only the person's own
 * `user` session (no impersonation, no client session), and also one that may only enrol yet.
 * Each change asks for the password again (a sign-in within the last minutes does not replace it:
 * the request bodies require it), and disabling or new codes also for a current code.
 */
@Controller('v1/auth/mfa')
@DuringEnrolment()
export class MfaController {
  constructor(
    private readonly mfa: MfaService,
    private readonly signIns: SignInService,
    private readonly sessions: SessionService,
  ) {}

  @Get()
  @Auth('user')
  @Contract({
    summary: 'My second factor: whether TOTP is on, and how many recovery codes are left',
    response: MfaStatus,
  })
  status(@CurrentSession() { user }: SessionPrincipal): Promise<MfaStatus> {
    return this.mfa.status(user.id);
  }

  @Post('totp')
  @Auth('user')
  @Contract({
    summary: 'Begin TOTP enrolment: a new secret, its otpauth:// URI and QR code (pending until confirmed)',
    body: BeginTotpRequest,
    response: BeginTotpResponse,
    status: 200,
  })
  @Errors(WRONG_PASSWORD, 'duplicate_record', 'too_many_requests')
  async begin(
    @ValidBody() body: BeginTotpRequest,
    @CurrentSession() { user }: SessionPrincipal,
    @CurrentActor() actor: Actor,
  ): Promise<BeginTotpResponse> {
    await this.signIns.confirmPassword(user, body.password, actor, 'mfa_enrol');
    return this.mfa.beginEnrolment(user);
  }

  @Post('totp/confirm')
  @Auth('user')
  @Contract({
    summary: 'Confirm TOTP enrolment with a first code: the second factor is on; the recovery codes are shown once',
    body: ConfirmTotpRequest,
    response: RecoveryCodesResponse,
    status: 200,
  })
  @Errors('invalid_otp', 'duplicate_record')
  async confirm(
    @ValidBody() body: ConfirmTotpRequest,
    @CurrentSession() { user }: SessionPrincipal,
    @CurrentActor() actor: Actor,
  ): Promise<RecoveryCodesResponse> {
    // Enrolled: the user's sessions that could only enrol may now do everything.
    const recoveryCodes = await this.mfa.confirmEnrolment(user, body.code, actor, (tx) =>
      this.sessions.endEnrolment(user.id, tx),
    );
    return { recoveryCodes };
  }

  @Delete('totp')
  @Auth('user')
  @Contract({
    summary: 'Turn the second factor off (password and a current code or a recovery code); my other sessions end',
    body: TotpChangeRequest,
    response: RevokedResponse,
    status: 200,
  })
  @Errors(WRONG_PASSWORD, 'invalid_otp', 'not_found', 'too_many_requests')
  async disable(
    @ValidBody() body: TotpChangeRequest,
    @CurrentSession() { user, session }: SessionPrincipal,
    @CurrentActor() actor: Actor,
  ): Promise<RevokedResponse> {
    await this.mfa.requireEnabled(user.id);
    const attempt = await this.signIns.confirmPassword(user, body.password, actor, 'mfa_disable', {
      codeFollows: true,
    });
    const revoked = await this.mfa.disable(user, body.code, attempt, actor, (tx) =>
      this.sessions.revokeAll(user.id, { except: session.id, manager: tx }),
    );
    return { revoked };
  }

  @Post('recovery-codes')
  @Auth('user')
  @Contract({
    summary: 'New recovery codes (password and a current code); the old ones stop working',
    body: TotpChangeRequest,
    response: RecoveryCodesResponse,
    status: 200,
  })
  @Errors(WRONG_PASSWORD, 'invalid_otp', 'not_found', 'too_many_requests')
  async regenerate(
    @ValidBody() body: TotpChangeRequest,
    @CurrentSession() { user }: SessionPrincipal,
    @CurrentActor() actor: Actor,
  ): Promise<RecoveryCodesResponse> {
    await this.mfa.requireEnabled(user.id);
    const attempt = await this.signIns.confirmPassword(user, body.password, actor, 'mfa_recovery_codes', {
      codeFollows: true,
    });
    return { recoveryCodes: await this.mfa.regenerateRecoveryCodes(user, body.code, attempt, actor) };
  }
}
