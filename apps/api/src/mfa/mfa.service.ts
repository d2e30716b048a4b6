import { Inject, Injectable } from '@nestjs/common';
import QRCode from 'qrcode';
import type { BeginTotpResponse, MfaStatus } from '@tessera/dto';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../auth/principal.js';
import { CONFIG, type Config } from '../infra/config/config.js';
import { isUniqueViolation } from '../infra/database/data-source.js';
import { TransactionRunner, type Transaction } from '../infra/database/transaction-runner.js';
import { ApiError } from '../infra/http/api-error.js';
import { SecretBox } from '../infra/secrets/secret-box.js';
import { MailService } from '../mail/mail.service.js';
import type { SignInAttempt } from '../rate-limit/rate-limit.service.js';
import type { UserEntity } from '../users/user.entity.js';
import { UserService } from '../users/user.service.js';
import type { MfaTotpEntity } from './mfa-totp.entity.js';
import { RecoveryCodeRepository } from './recovery-code.repository.js';
import { RECOVERY_CODE_COUNT, newRecoveryCode, recoveryCodeHash } from './recovery-codes.js';
import { TotpRepository } from './totp.repository.js';
import { isTotpCode, matchingStep, newTotpSecret, totpUri } from './totp.js';

/** How a second step was proven. */
export type SecondFactor = 'totp' | 'recovery_code';

/** What a person typed for their second factor: a TOTP code, or one of their recovery codes. */
export type SecondFactorProof = { code: string } | { recoveryCode: string };

/** Work of another capability that must commit with a change of the second factor (ending sessions). */
export type AlsoInTransaction<T> = (tx: Transaction) => Promise<T>;

/** The SecretBox context of a user's TOTP secret: a sealed secret copied onto another user opens nowhere. */
const sealContext = (userId: string) => `totp:${userId}`;

export const invalidOtp = () => new ApiError('invalid_otp', 'The code is wrong, expired or already used');
const alreadyEnabled = () =>
  new ApiError('duplicate_record', 'A second factor is already enabled: disable it first', { field: 'totp' });
const noSecondFactor = () => new ApiError('not_found', 'No second factor is enabled', { type: 'totp' });

/**
 * The TOTP second factor (RFC 6238, 30 s, 6 digits, ±1 step) and its recovery codes: enrolment,
 * confirmation, verification (each code once), disabling, new codes, an admin's reset. The secret
 * is sealed at rest; recovery codes are kept as SHA-256. Sessions are not this module's: changes
 * that end sessions take the caller's work to run in the same transaction.
 */
@Injectable()
export class MfaService {
  constructor(
    private readonly db: TransactionRunner,
    private readonly totps: TotpRepository,
    private readonly codes: RecoveryCodeRepository,
    private readonly users: UserService,
    private readonly audit: AuditService,
    private readonly mail: MailService,
    private readonly box: SecretBox,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  async status(userId: string): Promise<MfaStatus> {
    const totp = await this.totps.findOf(userId);
    const enabled = totp !== null && totp.confirmedAt !== null;
    return { totp: enabled, recoveryCodesLeft: enabled ? await this.codes.countLeft(userId) : 0 };
  }

  /** 404 `not_found` unless the user has a confirmed second factor (before asking for their password). */
  async requireEnabled(userId: string): Promise<void> {
    if (!(await this.status(userId)).totp) throw noSecondFactor();
  }

  /**
   * A new pending secret (replacing a pending one), with its URI and QR code; it works once confirmed
   * with a first code. The caller has checked the password. 409 when a second factor is enabled.
   */
  async beginEnrolment(user: UserEntity): Promise<BeginTotpResponse> {
    const secret = newTotpSecret();
    const uri = totpUri(secret, this.config.accounts.mfaIssuer, user.email ?? user.id);
    const row: MfaTotpEntity = {
      userId: user.id,
      secretEnc: this.box.seal(secret, sealContext(user.id)),
      createdAt: Date.now(),
      confirmedAt: null,
      lastUsedStep: null,
    };
    try {
      await this.db.transaction(async (tx) => {
        const existing = await this.totps.findOf(user.id, tx);
        if (existing !== null && existing.confirmedAt !== null) throw alreadyEnabled();
        await this.totps.replacePending(tx, row);
      });
    } catch (error) {
      // Another enrolment of this user inserted its row at the same moment.
      if (isUniqueViolation(error)) throw alreadyEnabled();
      throw error;
    }
    return { secret, uri, qrSvg: await QRCode.toString(uri, { type: 'svg' }) };
  }

  /**
   * Confirms the pending secret with a first code: the second factor is on, and the user gets
   * recovery codes, shown this once. `also` runs in the same transaction (the caller lifts the
   * enrol-only restriction of the user's sessions). A wrong code is 401 `invalid_otp`; it is not
   * counted against the account lock: whoever confirms already holds the secret.
   */
  async confirmEnrolment(
    user: UserEntity,
    code: string,
    actor: Actor,
    also: AlsoInTransaction<void>,
  ): Promise<string[]> {
    const pending = await this.totps.findOf(user.id);
    if (pending === null) throw new ApiError('invalid_request', 'No enrolment to confirm: begin one first');
    if (pending.confirmedAt !== null) throw alreadyEnabled();
    const now = Date.now();
    const step = matchingStep(this.secretOf(pending), code, now, null);
    if (step === null) throw invalidOtp();
    const recoveryCodes = newRecoveryCodes();
    await this.db.transaction(async (tx) => {
      if (!(await this.totps.confirm(tx, user.id, pending.secretEnc, step, now))) {
        throw new ApiError('invalid_request', 'This enrolment was replaced or confirmed meanwhile');
      }
      await this.codes.replaceAll(tx, user.id, recoveryCodes.map(recoveryCodeHash), now);
      await this.users.setMfaEnabled(user.id, true, tx);
      await also(tx);
      await this.audit.record(tx, {
        type: 'mfa.enabled',
        actor,
        userId: user.id,
        details: { method: 'totp', recoveryCodes: recoveryCodes.length },
      });
      await this.notify(tx, user, 'enabled');
    });
    return recoveryCodes;
  }

  /**
   * Uses the proof in the caller's transaction: a TOTP code within ±1 step and later than the last
   * one used, or an unused recovery code (recorded as `recovery_code.used`). Null when it is wrong,
   * used or the user has no second factor; nothing is written then.
   */
  async useSecondFactor(
    userId: string,
    proof: SecondFactorProof,
    actor: Actor,
    tx: Transaction,
  ): Promise<SecondFactor | null> {
    if ('code' in proof) {
      const totp = await this.totps.findOf(userId, tx);
      if (totp === null || totp.confirmedAt === null) return null;
      const step = matchingStep(this.secretOf(totp), proof.code, Date.now(), totp.lastUsedStep);
      return step !== null && (await this.totps.useStep(tx, userId, step)) ? 'totp' : null;
    }
    if (!(await this.codes.use(tx, userId, recoveryCodeHash(proof.recoveryCode), Date.now()))) return null;
    const left = await this.codes.countLeft(userId, tx);
    await this.audit.record(tx, { type: 'recovery_code.used', actor, userId, details: { recoveryCodesLeft: left } });
    return 'recovery_code';
  }

  /** A wrong second factor, in the audit log (what was tried is never kept). */
  recordFailure(userId: string, actor: Actor, via: string, proof: SecondFactorProof): Promise<void> {
    const method: SecondFactor = 'code' in proof ? 'totp' : 'recovery_code';
    return this.db.run((tx) => this.audit.record(tx, { type: 'mfa.failed', actor, userId, details: { via, method } }));
  }

  /**
   * Turns the second factor off with a current code or a recovery code, after the password
   * (`attempt`, still counted as a failure until this settles it). `also` ends the caller's chosen
   * sessions in the same transaction and says how many.
   */
  disable(
    user: UserEntity,
    code: string,
    attempt: SignInAttempt,
    actor: Actor,
    also: AlsoInTransaction<number>,
  ): Promise<number> {
    const proof: SecondFactorProof = isTotpCode(code) ? { code } : { recoveryCode: code };
    return this.settled(attempt, user, actor, 'disable', proof, (tx) => this.turnOff(tx, user, actor, also, {}));
  }

  /** The factor, its recovery codes and the chosen sessions go; audited and mailed. */
  private async turnOff(
    tx: Transaction,
    user: UserEntity,
    actor: Actor,
    also: AlsoInTransaction<number>,
    details: Record<string, string>,
  ): Promise<number> {
    await this.totps.remove(tx, user.id);
    await this.codes.removeAll(tx, user.id);
    await this.users.setMfaEnabled(user.id, false, tx);
    const revoked = await also(tx);
    await this.audit.record(tx, {
      type: 'mfa.disabled',
      actor,
      userId: user.id,
      details: { revokedSessions: revoked, ...details },
    });
    await this.notify(tx, user, 'disabled');
    return revoked;
  }

  /** New recovery codes (the old ones stop working) for a current TOTP code, after the password. */
  regenerateRecoveryCodes(user: UserEntity, code: string, attempt: SignInAttempt, actor: Actor): Promise<string[]> {
    const recoveryCodes = newRecoveryCodes();
    return this.settled(attempt, user, actor, 'recovery_codes', { code }, async (tx) => {
      await this.codes.replaceAll(tx, user.id, recoveryCodes.map(recoveryCodeHash), Date.now());
      await this.audit.record(tx, {
        type: 'mfa.recovery_codes_regenerated',
        actor,
        userId: user.id,
        details: { recoveryCodes: recoveryCodes.length },
      });
      await this.notify(tx, user, 'recovery_codes');
      return recoveryCodes;
    });
  }

  /**
   * Turns the second factor off without a code, for a person whose session began moments ago
   * (Contember's `disableOtp` sends none; the sign-in that began the session needed the factor).
   * The caller checked how recent the sign-in is. `also` ends the chosen sessions in the same
   * transaction and says how many.
   */
  disableAfterRecentSignIn(user: UserEntity, actor: Actor, also: AlsoInTransaction<number>): Promise<number> {
    return this.db.transaction((tx) => this.turnOff(tx, user, actor, also, { via: 'recent_sign_in' }));
  }

  /**
   * An admin removes a user's second factor (lost device, no codes left): the secret and codes go,
   * and `also` ends the user's sessions, in one transaction. Resolves to how many sessions ended.
   */
  async reset(userId: string, actor: Actor, also: AlsoInTransaction<number>): Promise<number> {
    const user = await this.users.getById(userId);
    return this.db.transaction(async (tx) => {
      const had = await this.totps.remove(tx, userId);
      await this.codes.removeAll(tx, userId);
      await this.users.setMfaEnabled(userId, false, tx);
      const revoked = await also(tx);
      await this.audit.record(tx, {
        type: 'mfa.reset',
        actor,
        userId,
        sessionId: null,
        details: { revokedSessions: revoked, hadSecondFactor: had },
      });
      if (had) await this.notify(tx, user, 'reset');
      return revoked;
    });
  }

  /**
   * Runs `change` in a transaction once `proof` is used in it. A wrong proof: `mfa.failed`, 401
   * `invalid_otp`, and the attempt stays counted against the account lock. A right one clears the
   * account's failures; any other error is no failure.
   */
  private async settled<T>(
    attempt: SignInAttempt,
    user: UserEntity,
    actor: Actor,
    via: string,
    proof: SecondFactorProof,
    change: (tx: Transaction) => Promise<T>,
  ): Promise<T> {
    let result: { value: T } | null;
    try {
      result = await this.db.transaction(async (tx) => {
        if ((await this.useSecondFactor(user.id, proof, actor, tx)) === null) return null;
        return { value: await change(tx) };
      });
    } catch (error) {
      await attempt.release();
      throw error;
    }
    if (result === null) {
      await this.recordFailure(user.id, actor, via, proof);
      throw invalidOtp();
    }
    await attempt.succeeded();
    return result.value;
  }

  private secretOf(totp: MfaTotpEntity): string {
    return this.box.open(totp.secretEnc, sealContext(totp.userId));
  }

  /** Tells the person their second factor changed, in the transaction that changed it. */
  private async notify(tx: Transaction, user: UserEntity, change: string): Promise<void> {
    if (user.email !== null) await this.mail.enqueue(tx, { to: user.email, template: 'mfa_changed', data: { change } });
  }
}

function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
}
