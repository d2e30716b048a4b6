import { Inject, Injectable } from '@nestjs/common';
import { GraphQLError } from 'graphql';
import { Email, PasswordResetRequest, SignInRequest, Uuid, type ErrorCode } from '@tessera/dto';
import { AccountService, type FollowUp } from '../account/account.service.js';
import { ImpersonationService, NOT_THIS_USER } from '../admin/impersonation.service.js';
import { UserAdminService } from '../admin/user-admin.service.js';
import { ApiKeyService } from '../api-keys/api-key.service.js';
import type { ApiKeyEntity } from '../api-keys/api-key.entity.js';
import type { Actor, Principal, SessionPrincipal } from '../auth/principal.js';
import { GrantService } from '../directory/grant.service.js';
import { TenantService } from '../directory/tenant.service.js';
import { ApiError } from '../infra/http/api-error.js';
import { CONFIG, type Config } from '../infra/config/config.js';
import { MfaService } from '../mfa/mfa.service.js';
import { SessionService } from '../sessions/session.service.js';
import { SignInService } from '../sessions/sign-in.service.js';
import { SignOutService } from '../sessions/sign-out.service.js';
import type { UserEntity } from '../users/user.entity.js';
import { API_KEY_IMPERSONATOR, UserService } from '../users/user.service.js';

/** One /tenant request as the resolvers see it (GraphQL's context value). */
export interface TenantCall {
  principal: Principal | undefined;
  actor: Actor;
  /** Work to start once the answer has left (a reset request's lookup and mail). */
  afterAnswer(work: FollowUp): void;
}

type Args = Record<string, unknown>;
type Resolver = (args: Args, call: TenantCall) => unknown;

/** Root fields a caller without credentials may use: sign-in's class, when sign-in needs no key. */
export const SIGN_IN_FIELDS: ReadonlySet<string> = new Set([
  'signIn',
  'createResetPasswordRequest',
  'resetPassword',
  'checkResetPasswordToken',
]);
/** What a session that must enrol a second factor first (TESSERA_REQUIRE_MFA) may still do. */
export const DURING_ENROLMENT_FIELDS: ReadonlySet<string> = new Set(['me', 'signOut', 'prepareOtp', 'confirmOtp']);
/** Introspection and `__typename` answer anyone: the schema is public by design (ASVS 4.3.2). */
export const META_FIELDS: ReadonlySet<string> = new Set(['__schema', '__type', '__typename']);

/** Changing the second factor through /tenant (no password field there) needs a sign-in this recent. */
export const RECENT_SIGN_IN_MS = 5 * 60_000;

const graphQLError = (code: string, message: string) => new GraphQLError(message, { extensions: { code } });
const forbidden = (message: string) => graphQLError('ForbiddenError', message);
const userInput = (message: string) => graphQLError('UserInputError', message);
const notSupported = (message: string) => graphQLError('NOT_SUPPORTED', message);

/** A success payload: `errors` (deprecated) is non-null on most Contember responses. */
const ok = (result: object | null = null) => ({ ok: true, errors: [], error: null, result });

/** A business failure: `ok: false` with the error also in the deprecated `errors` list, HTTP 200. */
function failed(code: string, developerMessage: string) {
  const error = { code, developerMessage, endUserMessage: null, endPersonMessage: null, membershipValidation: null };
  return { ok: false, errors: [error], error, result: null };
}

/** The failure payload for a service error whose code Contember has a name for; rethrows the others. */
function failedOn(error: unknown, codes: Partial<Record<ErrorCode, string>>) {
  if (error instanceof ApiError) {
    const code = codes[error.code];
    if (code !== undefined) return failed(code, error.message);
  }
  throw error;
}

/**
 * Tessera's refusals inside a field: a 403 is Contember's ForbiddenError, a bad value its
 * UserInputError (both GraphQL errors beside `data.<field>: null`); 401, 429 and 503 leave the
 * execution and are answered on the transport.
 */
function guarded(resolve: Resolver): Resolver {
  return async (args, call) => {
    try {
      return await resolve(args, call);
    } catch (error) {
      if (error instanceof ApiError && error.status === 403) throw forbidden(error.message);
      if (error instanceof ApiError && [400, 404, 409].includes(error.status)) throw userInput(error.message);
      throw error;
    }
  };
}

/** Contember's `expiration` is in minutes: null and 0 mean the default, more than `max` seconds is `max`. */
function secondsOf(minutes: unknown, max: number): number | undefined {
  if (typeof minutes !== 'number' || minutes === 0) return undefined;
  if (minutes < 0) throw userInput('expiration must not be negative');
  return Math.min(minutes * 60, max);
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/**
 * Contember's Tenant API over Tessera's services, the same ones REST uses: every rule (rate limits,
 * sliding and absolute expiry, audit events, revocation) is theirs. Each field maps one call.
 */
@Injectable()
export class TenantApiService {
  /** The root value: built once, its resolvers take the call from GraphQL's context. */
  readonly root: Readonly<Record<string, Resolver>>;

  constructor(
    private readonly signIns: SignInService,
    private readonly signOuts: SignOutService,
    private readonly sessions: SessionService,
    private readonly impersonation: ImpersonationService,
    private readonly userAdmin: UserAdminService,
    private readonly users: UserService,
    private readonly apiKeys: ApiKeyService,
    private readonly accounts: AccountService,
    private readonly mfa: MfaService,
    private readonly grants: GrantService,
    private readonly tenants: TenantService,
    @Inject(CONFIG) private readonly config: Config,
  ) {
    const fields: Record<string, Resolver> = {
      me: (_, call) => this.me(call),
      personById: (a, call) => this.personById(str(a.id)!, call),
      checkResetPasswordToken: () => {
        throw notSupported('checkResetPasswordToken is not supported (Contember 2.0.8 does not implement it either)');
      },
      signIn: (a, call) => this.signIn(a, call),
      signOut: (a, call) => this.signOut(a.all === true, call),
      createSessionToken: (a, call) => this.createSessionToken(a, call),
      signUp: (a, call) => this.signUp(a, call),
      changeMyPassword: (a, call) => this.changeMyPassword(str(a.currentPassword)!, str(a.newPassword)!, call),
      changePassword: (a, call) => this.changePassword(str(a.personId)!, str(a.password)!, call),
      changeMyProfile: (a, call) => this.changeMyProfile(str(a.email), call),
      changeProfile: (a, call) => this.changeProfile(str(a.personId)!, str(a.email), call),
      disablePerson: (a, call) => this.disablePerson(str(a.personId)!, call),
      createGlobalApiKey: (a, call) => this.createGlobalApiKey(a, call),
      disableApiKey: (a, call) => this.disableApiKey(str(a.id)!, call),
      prepareOtp: (_, call) => this.prepareOtp(call),
      confirmOtp: (a, call) => this.confirmOtp(str(a.otpToken)!, call),
      disableOtp: (_, call) => this.disableOtp(call),
      createResetPasswordRequest: (a, call) => this.createResetPasswordRequest(str(a.email)!, call),
      resetPassword: (a, call) => this.resetPassword(str(a.token)!, str(a.password)!, call),
    };
    this.root = Object.fromEntries(Object.entries(fields).map(([name, resolve]) => [name, guarded(resolve)]));
  }

  // --- who may call what ---

  private principalOf(call: TenantCall): Principal {
    // The controller answers 401 before a field that needs credentials runs without them.
    if (!call.principal) throw new ApiError('unauthorized', 'Credentials required');
    return call.principal;
  }

  private static isAdmin(principal: Principal | undefined): boolean {
    if (principal?.kind === 'api_key') return principal.apiKey.role === 'admin';
    return principal?.session.type === 'user' && principal.user.superAdmin;
  }

  /** An admin key or a super admin's own session (Contember's super_admin). */
  private requireAdmin(call: TenantCall, what: string): Principal {
    const principal = this.principalOf(call);
    if (!TenantApiService.isAdmin(principal)) throw forbidden(`You are not allowed to ${what}`);
    return principal;
  }

  /** Sign-in's class: anyone (the controller checked), a login or admin key, or a super admin (Contember's rule). */
  private requireSignInCaller(call: TenantCall, what: string): void {
    const principal = call.principal;
    if (!principal || principal.kind === 'api_key' || TenantApiService.isAdmin(principal)) return;
    throw forbidden(`You are not allowed to ${what}: use the login token`);
  }

  /** The person's own session: no API key, impersonation or client session. */
  private ownSession(call: TenantCall): SessionPrincipal | 'not_a_person' {
    const principal = this.principalOf(call);
    if (principal.kind === 'api_key') return 'not_a_person';
    if (principal.session.type !== 'user') throw forbidden(`A ${principal.session.type} session may not do this`);
    return principal;
  }

  private recentSession(call: TenantCall): SessionPrincipal {
    const own = this.ownSession(call);
    if (own === 'not_a_person') throw forbidden('An API key is not a person');
    if (Date.now() - own.session.createdAt > RECENT_SIGN_IN_MS) {
      throw forbidden(
        `Sign in again: changing the second factor here needs a sign-in within ${RECENT_SIGN_IN_MS / 60_000} minutes`,
      );
    }
    return own;
  }

  // --- views ---

  private personOf(user: UserEntity) {
    return {
      id: user.id,
      email: user.email,
      name: null,
      otpEnabled: user.mfaEnabled,
      passwordlessEnabled: false,
      identity: () => this.identityOfUser(user),
    };
  }

  private identityOfUser(user: UserEntity): object {
    return {
      id: user.id,
      description: null,
      person: () => this.personOf(user),
      apiKey: null,
      // Read only when asked for: global roles (super_admin included), and the tenants as projects.
      roles: async () => ['person', ...(await this.grants.globalGrants(user.id)).roles],
      projects: () => this.projectsOf(user.id),
      permissions: { canCreateProject: user.superAdmin, canDeployEntrypoint: false },
    };
  }

  private identityOfKey(key: ApiKeyEntity): object {
    const identity = {
      id: `${API_KEY_IMPERSONATOR}${key.id}`,
      description: key.name,
      person: null,
      apiKey: { id: key.id, identity: () => identity },
      roles: [key.role === 'admin' ? 'super_admin' : 'login'],
      projects: [],
      permissions: { canCreateProject: key.role === 'admin', canDeployEntrypoint: false },
    };
    return identity;
  }

  /** A person's tenants (the first 100) as Contember projects, their roles there as memberships. */
  private async projectsOf(userId: string) {
    const page = await this.tenants.tenantsOf(userId, { limit: 100 });
    return page.items.map(({ tenant, roles }) => ({
      project: { id: tenant.tenantId, name: tenant.name, slug: tenant.tenantId, config: {}, roles: [], members: [] },
      memberships: roles.map((role) => ({ role, variables: [] })),
    }));
  }

  // --- tier 1 ---

  private me(call: TenantCall): object {
    const principal = this.principalOf(call);
    return principal.kind === 'api_key' ? this.identityOfKey(principal.apiKey) : this.identityOfUser(principal.user);
  }

  private async signIn(args: Args, call: TenantCall) {
    this.requireSignInCaller(call, 'sign in');
    const expiration = secondsOf(args.expiration, this.config.session.maxExpiration);
    const input = SignInRequest.safeParse({
      email: args.email,
      password: args.password,
      expiration,
      otp: str(args.otpToken),
    });
    // An empty or over-long email or password matches no account.
    if (!input.success) return failed('INVALID_PASSWORD', 'Invalid email or password');
    try {
      const outcome = await this.signIns.signIn(input.data, call.actor);
      if (outcome.mfaRequired) return failed('OTP_REQUIRED', 'This person has a second factor: send otpToken');
      return ok({ token: outcome.token, person: this.personOf(outcome.user) });
    } catch (error) {
      return failedOn(error, {
        // Tessera's rule: an unknown email and a wrong password answer alike (no enumeration).
        invalid_credentials: 'INVALID_PASSWORD',
        user_disabled: 'PERSON_DISABLED',
        email_not_verified: 'PERSON_DISABLED',
        invalid_otp: 'INVALID_OTP_TOKEN',
      });
    }
  }

  private async signOut(all: boolean, call: TenantCall) {
    const principal = this.principalOf(call);
    if (principal.kind === 'api_key') return failed('NOT_A_PERSON', 'An API key is not a person: it cannot sign out');
    const { session } = principal;
    // Only the person's own sign-in may end everything; an impersonation ends itself.
    if (all && session.type !== 'user') throw forbidden(`A ${session.type} session may end itself, not every session`);
    await this.signOuts.signOut(session, all, call.actor);
    return ok();
  }

  private async createSessionToken(args: Args, call: TenantCall) {
    const principal = this.principalOf(call);
    if (principal.kind === 'api_key' && principal.apiKey.role !== 'admin') {
      throw forbidden('You are not allowed to create a session token');
    }
    const email = str(args.email);
    const userId = str(args.personId);
    if ((email === undefined) === (userId === undefined)) throw userInput('Please provide either email or personId');
    const expiration = secondsOf(args.expiration, this.config.impersonationMaxSeconds);
    try {
      const { token, session } = await this.impersonation.start(principal, { email, userId, expiration }, call.actor);
      const target = await this.users.getById(session.userId);
      return ok({ token, person: this.personOf(target) });
    } catch (error) {
      // An unknown person and one out of the caller's reach look the same (Contember leaks the difference).
      if (error instanceof ApiError && error.message === NOT_THIS_USER) {
        return failed(email !== undefined ? 'UNKNOWN_EMAIL' : 'UNKNOWN_PERSON_ID', 'No such person you may act as');
      }
      return failedOn(error, { user_disabled: 'PERSON_DISABLED' });
    }
  }

  // --- tier 2 ---

  private async personById(id: string, call: TenantCall) {
    this.requireAdmin(call, 'view people');
    const user = await this.users.findById(id);
    return user ? this.personOf(user) : null;
  }

  private async signUp(args: Args, call: TenantCall) {
    if (args.passwordHash !== undefined && args.passwordHash !== null) {
      throw userInput('passwordHash is not supported: send password');
    }
    const roles = (args.roles as string[] | null | undefined) ?? [];
    const unknown = roles.filter((role) => role !== 'super_admin');
    if (unknown.length > 0) throw userInput(`Only the role super_admin is known here, not ${unknown.join(', ')}`);
    const email = str(args.email)!;
    if (!Email.safeParse(email).success) return failed('INVALID_EMAIL_FORMAT', 'The email is not valid');
    const password = str(args.password);
    if (!TenantApiService.isAdmin(call.principal)) return this.signUpSelf(email, password, roles, call);
    try {
      const user = await this.userAdmin.create({ email, password }, call.actor);
      if (roles.length > 0) await this.grants.grantGlobal('role', user.id, 'super_admin', call.actor);
      return ok({ person: this.personOf(await this.users.getById(user.id)) });
    } catch (error) {
      return failedOn(error, { duplicate_record: 'EMAIL_ALREADY_EXISTS', weak_password: 'TOO_WEAK' });
    }
  }

  /**
   * Sign-up by the person (TESSERA_SIGN_UP=open): Tessera's own flow, which answers the same for a
   * taken address (no enumeration), so `result` stays null; the address gets its mail.
   */
  private async signUpSelf(email: string, password: string | undefined, roles: string[], call: TenantCall) {
    if (this.config.accounts.signUp !== 'open' || roles.length > 0)
      throw forbidden('You are not allowed to sign up people');
    if (password === undefined) throw userInput('password is required');
    try {
      call.afterAnswer(await this.accounts.signUp(email, password, call.actor));
      return ok();
    } catch (error) {
      return failedOn(error, { weak_password: 'TOO_WEAK' });
    }
  }

  private async changeMyPassword(currentPassword: string, newPassword: string, call: TenantCall) {
    const own = this.ownSession(call);
    if (own === 'not_a_person') return failed('NOT_A_PERSON', 'An API key is not a person');
    if (own.user.passwordHash === null) return failed('NO_PASSWORD_SET', 'This person has no password');
    try {
      // Tessera ends the person's other sessions, as REST does (Contember keeps them).
      await this.signIns.changePassword(own.user, call.actor, { currentPassword, newPassword });
      return ok();
    } catch (error) {
      return failedOn(error, { invalid_credentials: 'INVALID_PASSWORD', weak_password: 'TOO_WEAK' });
    }
  }

  private async changePassword(personId: string, password: string, call: TenantCall) {
    this.requireAdmin(call, 'change passwords');
    try {
      await this.userAdmin.update(personId, { password }, call.actor);
      return ok();
    } catch (error) {
      return failedOn(error, { not_found: 'PERSON_NOT_FOUND', weak_password: 'TOO_WEAK' });
    }
  }

  private changeMyProfile(email: string | undefined, call: TenantCall) {
    const own = this.ownSession(call);
    if (own === 'not_a_person') return failed('NOT_A_PERSON', 'An API key is not a person');
    // Tessera has no names; an email moves only through a link to the new address, with the password.
    if (email === undefined || email.trim().toLowerCase() === own.user.email) return ok();
    if (!Email.safeParse(email).success) return failed('INVALID_EMAIL_FORMAT', 'The email is not valid');
    throw notSupported(
      'Change your email with POST /v1/auth/change-email: it needs your password and a link sent there',
    );
  }

  private async changeProfile(personId: string, email: string | undefined, call: TenantCall) {
    this.requireAdmin(call, 'change profiles');
    if (email !== undefined && !Email.safeParse(email).success) {
      return failed('INVALID_EMAIL_FORMAT', 'The email is not valid');
    }
    try {
      if (email === undefined) await this.users.getById(personId);
      else await this.userAdmin.update(personId, { email }, call.actor);
      return ok();
    } catch (error) {
      return failedOn(error, { not_found: 'PERSON_NOT_FOUND', duplicate_record: 'EMAIL_ALREADY_EXISTS' });
    }
  }

  private async disablePerson(personId: string, call: TenantCall) {
    this.requireAdmin(call, 'disable people');
    const user = await this.users.findById(personId);
    if (!user) return failed('PERSON_NOT_FOUND', 'No such person');
    if (user.disabledAt !== null) return failed('PERSON_ALREADY_DISABLED', 'This person is already disabled');
    await this.userAdmin.disable(personId, call.actor);
    return ok();
  }

  private async createGlobalApiKey(args: Args, call: TenantCall) {
    this.requireAdmin(call, 'create API keys');
    const description = str(args.description)!;
    if (description.length < 1 || description.length > 200)
      throw userInput('description must have 1 to 200 characters');
    const roles = (args.roles as string[] | null | undefined) ?? [];
    const role = roles.length === 1 ? { login: 'login', super_admin: 'admin' }[roles[0]!] : undefined;
    if (role !== 'login' && role !== 'admin') throw userInput('roles must be ["login"] or ["super_admin"]');
    const tokenHash = str(args.tokenHash);
    const input = { name: description, role } as const;
    const { key, secret } =
      tokenHash === undefined
        ? await this.apiKeys.create(input, call.actor)
        : { key: await this.apiKeys.createWithHash(input, tokenHash, call.actor), secret: null };
    return ok({ apiKey: { id: key.id, token: secret, identity: this.identityOfKey(key) } });
  }

  private async disableApiKey(id: string, call: TenantCall) {
    this.requireAdmin(call, 'disable API keys');
    if (!Uuid.safeParse(id).success) return failed('KEY_NOT_FOUND', 'No such API key');
    try {
      await this.apiKeys.revoke(id, call.actor);
      return ok();
    } catch (error) {
      return failedOn(error, { not_found: 'KEY_NOT_FOUND' });
    }
  }

  // --- tier 3 ---

  private async prepareOtp(call: TenantCall) {
    const { user } = this.recentSession(call);
    const { secret, uri } = await this.mfa.beginEnrolment(user);
    return { ok: true, result: { otpUri: uri, otpSecret: secret } };
  }

  private async confirmOtp(otpToken: string, call: TenantCall) {
    const own = this.ownSession(call);
    if (own === 'not_a_person') throw forbidden('An API key is not a person');
    try {
      // The recovery codes are not part of Contember's answer: the person makes new ones on /v1.
      await this.mfa.confirmEnrolment(own.user, otpToken, call.actor, (tx) =>
        this.sessions.endEnrolment(own.user.id, tx),
      );
      return ok();
    } catch (error) {
      return failedOn(error, {
        invalid_request: 'NOT_PREPARED',
        duplicate_record: 'NOT_PREPARED',
        invalid_otp: 'INVALID_OTP_TOKEN',
      });
    }
  }

  private async disableOtp(call: TenantCall) {
    const { user, session } = this.recentSession(call);
    if (!(await this.mfa.status(user.id)).totp) return failed('OTP_NOT_ACTIVE', 'No second factor is enabled');
    await this.mfa.disableAfterRecentSignIn(user, call.actor, (tx) =>
      this.sessions.revokeAll(user.id, { except: session.id, manager: tx }),
    );
    return ok();
  }

  private async createResetPasswordRequest(email: string, call: TenantCall) {
    this.requireSignInCaller(call, 'request a password reset');
    // Always ok, known address or not (Contember answers PERSON_NOT_FOUND: enumeration).
    if (PasswordResetRequest.safeParse({ email }).success) {
      call.afterAnswer(await this.accounts.requestPasswordReset(email, call.actor));
    }
    return ok();
  }

  private async resetPassword(token: string, password: string, call: TenantCall) {
    this.requireSignInCaller(call, 'reset a password');
    try {
      // Every session of the person ends, as on /v1 (Contember keeps them).
      await this.accounts.confirmPasswordReset(token, password, call.actor);
      return ok();
    } catch (error) {
      if (error instanceof ApiError && error.code === 'invalid_token') {
        const reason = (error.details as { reason?: string } | undefined)?.reason;
        const code = { used: 'TOKEN_USED', expired: 'TOKEN_EXPIRED', superseded: 'TOKEN_INVALID' }[reason ?? ''];
        return failed(code ?? 'TOKEN_NOT_FOUND', error.message);
      }
      return failedOn(error, { weak_password: 'PASSWORD_TOO_WEAK' });
    }
  }
}
