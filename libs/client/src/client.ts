import type {
  AcceptedResponse,
  BeginTotpResponse,
  ChangeEmailRequest,
  MfaChallengeResponse,
  MfaStatus,
  PasswordResetConfirmRequest,
  RecoveryCodesResponse,
  SignInResult,
  SignUpRequest,
  TotpChangeRequest,
  VerifyEmailResponse,
  ApiKey,
  Assignable,
  ApiKeyRole,
  AuditEvent,
  AuditEventType,
  AuthorizationSessionResponse,
  CreateApiKeyResponse,
  CreateFeatureRequest,
  CreatePricingTierRequest,
  Entitlements,
  Feature,
  PricingTier,
  UpdateFeatureRequest,
  UpdatePricingTierRequest,
  ExchangeCodeResponse,
  SelfServiceContext,
  SelfServiceSessionResponse,
  CreateSessionTokenResponse,
  ChangePasswordRequest,
  CheckItem,
  CheckResponse,
  CreatePermissionRequest,
  CreateRoleRequest,
  CreateTenantRequest,
  GlobalGrants,
  Member,
  Membership,
  Permission,
  Role,
  Tenant,
  UpdatePermissionRequest,
  UpdateRoleRequest,
  UpdateUserRequest,
  CreateUserRequest,
  CurrentSessionResponse,
  ConsoleAccess,
  ImpersonationAllowed,
  HealthResponse,
  Page,
  RevokedResponse,
  Session,
  SignInRequest,
  SignInResponse,
  User,
} from '@tessera/dto';
import { toTesseraError } from './errors.js';

export interface TesseraClientOptions {
  /** e.g. `http://127.0.0.1:3000` */
  baseUrl: string;
  /** A session token, sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** An API key, sent as `Authorization: ApiKey <key>`. */
  apiKey?: string;
  /** Defaults to the global fetch (browsers, Node 18+). */
  fetch?: typeof fetch;
  /** Extra headers on every request (a User-Agent, say). */
  headers?: Record<string, string>;
}

/** List options of API.md: `limit` 1..100 (default 25) and the opaque `after` cursor. */
export interface ListOptions {
  limit?: number;
  after?: string;
}

type Query = Record<string, string | number | boolean | undefined>;

/** The users list's search and filters (combined with AND). */
export interface UserFilters {
  /** Part of an email, or the start of an id. */
  q?: string;
  disabled?: boolean;
  superAdmin?: boolean;
  /** Has a second factor. */
  mfa?: boolean;
  /** Members of this tenant. */
  tenantId?: string;
}

/** Sign-in's second step: the challenge with a TOTP code, or with one of the recovery codes. */
export type SignInMfaBody = { challenge: string; code: string } | { challenge: string; recoveryCode: string };

/**
 * Whether a sign-in answered with a challenge (the user has a second factor and sent no `otp`)
 * rather than a session: complete it with `auth.signInMfa({challenge, code})`.
 */
export function isMfaChallenge(result: SignInResult): result is MfaChallengeResponse {
  return 'mfaRequired' in result && result.mfaRequired === true;
}

const segment = (value: string) => encodeURIComponent(value);
const ownerBase = (owner: { tenantId: string } | { userId: string }) =>
  'tenantId' in owner ? `v1/tenants/${segment(owner.tenantId)}` : `v1/users/${segment(owner.userId)}`;
const grantBase = (userId: string, tenantId?: string) =>
  tenantId === undefined ? `v1/users/${segment(userId)}` : `v1/tenants/${segment(tenantId)}/users/${segment(userId)}`;

/**
 * The typed Tessera client. Every method resolves with the response body or rejects with a
 * TesseraError carrying the HTTP status and API.md error code.
 *
 *   const admin = new TesseraClient({ baseUrl, apiKey });
 *   const anon = new TesseraClient({ baseUrl });
 *   let signedIn = await anon.auth.signIn({ email, password });
 *   if (isMfaChallenge(signedIn)) signedIn = await anon.auth.signInMfa({ challenge: signedIn.challenge, code });
 *   const me = await admin.withToken(signedIn.token).sessions.current();
 */
export class TesseraClient {
  private readonly fetchFn: typeof fetch;

  constructor(readonly options: TesseraClientOptions) {
    this.fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  /** The same client acting with a session token instead of its own credentials. */
  withToken(token: string): TesseraClient {
    return new TesseraClient({ ...this.options, token, apiKey: undefined });
  }

  /** The same client acting with an API key. */
  withApiKey(apiKey: string): TesseraClient {
    return new TesseraClient({ ...this.options, apiKey, token: undefined });
  }

  async request<T>(method: string, path: string, options: { body?: unknown; query?: Query } = {}): Promise<T> {
    const url = new URL(path, this.options.baseUrl.endsWith('/') ? this.options.baseUrl : `${this.options.baseUrl}/`);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const headers: Record<string, string> = { accept: 'application/json', ...this.options.headers };
    if (this.options.token !== undefined) headers.authorization = `Bearer ${this.options.token}`;
    else if (this.options.apiKey !== undefined) headers.authorization = `ApiKey ${this.options.apiKey}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    const response = await this.fetchFn(url, { method, headers, body });
    const text = await response.text();
    const parsed: unknown = text === '' ? undefined : safeJson(text);
    if (!response.ok) throw toTesseraError(response.status, parsed, response.headers.get('retry-after'));
    return parsed as T;
  }

  readonly auth = {
    /**
     * A session (201), or for a user with a second factor who sent no `otp` a challenge (200, no
     * session yet): tell them apart with `isMfaChallenge`, then call `signInMfa`.
     */
    signIn: (body: SignInRequest) => this.request<SignInResult>('POST', 'v1/auth/sign-in', { body }),
    /** Completes a challenge with a TOTP code or a recovery code: a session. */
    signInMfa: (body: SignInMfaBody) => this.request<SignInResponse>('POST', 'v1/auth/sign-in/mfa', { body }),
    /** Ends this session, or with `{all: true}` every session of this user. */
    signOut: (body: { all?: boolean } = {}) => this.request<RevokedResponse>('POST', 'v1/auth/sign-out', { body }),
    changePassword: (body: ChangePasswordRequest) =>
      this.request<RevokedResponse>('POST', 'v1/auth/change-password', { body }),
    /** Always 202 `{accepted: true}`, whether or not the address has an account. */
    requestPasswordReset: (body: { email: string }) =>
      this.request<AcceptedResponse>('POST', 'v1/auth/password-reset', { body }),
    /** The token of a reset link (`#token=`) and the new password; every session of the user ends. */
    confirmPasswordReset: (body: PasswordResetConfirmRequest) =>
      this.request<RevokedResponse>('POST', 'v1/auth/password-reset/confirm', { body }),
    /** The token of a verification link (`#token=`): verifies the address, or completes a change of it. */
    verifyEmail: (body: { token: string }) =>
      this.request<VerifyEmailResponse>('POST', 'v1/auth/verify-email', { body }),
    /** Mails me a link that verifies my address. */
    requestEmailVerification: () => this.request<AcceptedResponse>('POST', 'v1/auth/verify-email/request'),
    /** Moves my account to `newEmail` once the link mailed there is opened. */
    changeEmail: (body: ChangeEmailRequest) => this.request<AcceptedResponse>('POST', 'v1/auth/change-email', { body }),
    /** When the server's sign-up is open; closed, 403 `sign_up_closed`. */
    signUp: (body: SignUpRequest) => this.request<AcceptedResponse>('POST', 'v1/auth/sign-up', { body }),
    /** My second factor (TOTP) and recovery codes. */
    mfa: {
      status: () => this.request<MfaStatus>('GET', 'v1/auth/mfa'),
      /** A pending secret (with `uri` and `qrSvg`), replacing any pending one; confirm it with a code. */
      beginTotp: (body: { password: string }) => this.request<BeginTotpResponse>('POST', 'v1/auth/mfa/totp', { body }),
      /** Turns the pending secret on; resolves to the 10 recovery codes, shown this once. */
      confirmTotp: (body: { code: string }) =>
        this.request<RecoveryCodesResponse>('POST', 'v1/auth/mfa/totp/confirm', { body }),
      /** Turns the second factor off; my other sessions end. */
      disableTotp: (body: TotpChangeRequest) => this.request<RevokedResponse>('DELETE', 'v1/auth/mfa/totp', { body }),
      /** New recovery codes; the old ones stop working. */
      regenerateRecoveryCodes: (body: TotpChangeRequest) =>
        this.request<RecoveryCodesResponse>('POST', 'v1/auth/mfa/recovery-codes', { body }),
    },
  };

  readonly sessions = {
    current: () => this.request<CurrentSessionResponse>('GET', 'v1/sessions/current'),
    list: (options: ListOptions = {}) => this.request<Page<Session>>('GET', 'v1/sessions', { query: { ...options } }),
    revoke: (sessionId: string) => this.request<void>('DELETE', `v1/sessions/${segment(sessionId)}`),
    /**
     * Warrant's `createAuthorizationSession`: a short-lived token that lets a browser or mobile app
     * check permissions for exactly this user. Needs an admin API key. Resolves to the token.
     */
    createAuthorizationSession: async (options: { userId: string; ttl?: number }) =>
      (await this.request<AuthorizationSessionResponse>('POST', 'v1/sessions', { body: { type: 'sess', ...options } }))
        .token,
    /**
     * Warrant's `createSelfServiceSession`: a link to the self-service dashboard of one tenant for
     * one user (who must hold `view-self-service-dashboard` there). Needs an admin API key.
     * Resolves to the URL; it carries a one-time code, never a token, and lives 60 seconds.
     */
    createSelfServiceSession: async (
      options: { userId: string; tenantId: string; ttl?: number },
      redirectUrl?: string,
    ) =>
      (
        await this.request<SelfServiceSessionResponse>('POST', 'v1/sessions', {
          body: { type: 'ssdash', ...options, redirectUrl },
        })
      ).url,
  };

  /** The self-service dashboard API: a client made with a `self_service` session token. */
  readonly selfService = {
    /** Exchanges the one-time code from a dashboard link's fragment for its session token. */
    exchange: (code: string) =>
      this.request<ExchangeCodeResponse>('POST', 'v1/self-service/exchange', { body: { code } }),
    context: () => this.request<SelfServiceContext>('GET', 'v1/self-service/context'),
    members: (options: ListOptions = {}) =>
      this.request<Page<Member>>('GET', 'v1/self-service/members', { query: { ...options } }),
    grantRole: (userId: string, roleId: string) =>
      this.request<void>('PUT', `v1/self-service/members/${segment(userId)}/roles/${segment(roleId)}`),
    revokeRole: (userId: string, roleId: string) =>
      this.request<void>('DELETE', `v1/self-service/members/${segment(userId)}/roles/${segment(roleId)}`),
    grantPermission: (userId: string, permissionId: string) =>
      this.request<void>('PUT', `v1/self-service/members/${segment(userId)}/permissions/${segment(permissionId)}`),
    revokePermission: (userId: string, permissionId: string) =>
      this.request<void>('DELETE', `v1/self-service/members/${segment(userId)}/permissions/${segment(permissionId)}`),
  };

  readonly users = {
    create: (body: CreateUserRequest) => this.request<User>('POST', 'v1/users', { body }),
    /**
     * Oldest first. `q` matches part of an email or the start of an id; the flags and `tenantId`
     * narrow it. A tenant admin (a session) sees only the members of the tenants they administer.
     */
    list: (options: ListOptions & UserFilters = {}) =>
      this.request<Page<User>>('GET', 'v1/users', { query: { ...options } }),
    get: (userId: string) => this.request<User>('GET', `v1/users/${segment(userId)}`),
    update: (userId: string, body: UpdateUserRequest) =>
      this.request<User>('PATCH', `v1/users/${segment(userId)}`, { body }),
    delete: (userId: string) => this.request<void>('DELETE', `v1/users/${segment(userId)}`),
    /** The user's tenants with their roles and permissions in each. */
    tenants: (userId: string, options: ListOptions = {}) =>
      this.request<Page<Membership>>('GET', `v1/users/${segment(userId)}/tenants`, { query: { ...options } }),
  };

  readonly tenants = {
    create: (body: CreateTenantRequest) => this.request<Tenant>('POST', 'v1/tenants', { body }),
    list: (options: ListOptions = {}) => this.request<Page<Tenant>>('GET', 'v1/tenants', { query: { ...options } }),
    get: (tenantId: string) => this.request<Tenant>('GET', `v1/tenants/${segment(tenantId)}`),
    update: (tenantId: string, body: { name: string }) =>
      this.request<Tenant>('PATCH', `v1/tenants/${segment(tenantId)}`, { body }),
    delete: (tenantId: string) => this.request<void>('DELETE', `v1/tenants/${segment(tenantId)}`),
    /** The roles and permissions I may grant or revoke in the tenant (a tenant admin: only what they hold). */
    assignable: (tenantId: string) => this.request<Assignable>('GET', `v1/tenants/${segment(tenantId)}/assignable`),
  };

  readonly roles = {
    create: (body: CreateRoleRequest) => this.request<Role>('POST', 'v1/roles', { body }),
    list: (options: ListOptions = {}) => this.request<Page<Role>>('GET', 'v1/roles', { query: { ...options } }),
    get: (roleId: string) => this.request<Role>('GET', `v1/roles/${segment(roleId)}`),
    update: (roleId: string, body: UpdateRoleRequest) =>
      this.request<Role>('PATCH', `v1/roles/${segment(roleId)}`, { body }),
    delete: (roleId: string) => this.request<void>('DELETE', `v1/roles/${segment(roleId)}`),
    addPermission: (roleId: string, permissionId: string) =>
      this.request<void>('PUT', `v1/roles/${segment(roleId)}/permissions/${segment(permissionId)}`),
    removePermission: (roleId: string, permissionId: string) =>
      this.request<void>('DELETE', `v1/roles/${segment(roleId)}/permissions/${segment(permissionId)}`),
  };

  readonly permissions = {
    create: (body: CreatePermissionRequest) => this.request<Permission>('POST', 'v1/permissions', { body }),
    list: (options: ListOptions = {}) =>
      this.request<Page<Permission>>('GET', 'v1/permissions', { query: { ...options } }),
    get: (permissionId: string) => this.request<Permission>('GET', `v1/permissions/${segment(permissionId)}`),
    update: (permissionId: string, body: UpdatePermissionRequest) =>
      this.request<Permission>('PATCH', `v1/permissions/${segment(permissionId)}`, { body }),
    delete: (permissionId: string) => this.request<void>('DELETE', `v1/permissions/${segment(permissionId)}`),
  };

  readonly pricingTiers = {
    create: (body: CreatePricingTierRequest) => this.request<PricingTier>('POST', 'v1/pricing-tiers', { body }),
    list: (options: ListOptions = {}) =>
      this.request<Page<PricingTier>>('GET', 'v1/pricing-tiers', { query: { ...options } }),
    get: (id: string) => this.request<PricingTier>('GET', `v1/pricing-tiers/${segment(id)}`),
    update: (id: string, body: UpdatePricingTierRequest) =>
      this.request<PricingTier>('PATCH', `v1/pricing-tiers/${segment(id)}`, { body }),
    delete: (id: string) => this.request<void>('DELETE', `v1/pricing-tiers/${segment(id)}`),
    addFeature: (id: string, featureId: string) =>
      this.request<void>('PUT', `v1/pricing-tiers/${segment(id)}/features/${segment(featureId)}`),
    removeFeature: (id: string, featureId: string) =>
      this.request<void>('DELETE', `v1/pricing-tiers/${segment(id)}/features/${segment(featureId)}`),
  };

  readonly features = {
    create: (body: CreateFeatureRequest) => this.request<Feature>('POST', 'v1/features', { body }),
    list: (options: ListOptions = {}) => this.request<Page<Feature>>('GET', 'v1/features', { query: { ...options } }),
    get: (id: string) => this.request<Feature>('GET', `v1/features/${segment(id)}`),
    update: (id: string, body: UpdateFeatureRequest) =>
      this.request<Feature>('PATCH', `v1/features/${segment(id)}`, { body }),
    delete: (id: string) => this.request<void>('DELETE', `v1/features/${segment(id)}`),
  };

  /** Pricing tiers and features given to a tenant (`{tenantId}`) or a user (`{userId}`). */
  readonly entitlements = {
    of: (owner: { tenantId: string } | { userId: string }) =>
      this.request<Entitlements>('GET', `${ownerBase(owner)}/entitlements`),
    givePricingTier: (owner: { tenantId: string } | { userId: string }, pricingTierId: string) =>
      this.request<void>('PUT', `${ownerBase(owner)}/pricing-tiers/${segment(pricingTierId)}`),
    takePricingTier: (owner: { tenantId: string } | { userId: string }, pricingTierId: string) =>
      this.request<void>('DELETE', `${ownerBase(owner)}/pricing-tiers/${segment(pricingTierId)}`),
    giveFeature: (owner: { tenantId: string } | { userId: string }, featureId: string) =>
      this.request<void>('PUT', `${ownerBase(owner)}/features/${segment(featureId)}`),
    takeFeature: (owner: { tenantId: string } | { userId: string }, featureId: string) =>
      this.request<void>('DELETE', `${ownerBase(owner)}/features/${segment(featureId)}`),
  };

  readonly members = {
    list: (tenantId: string, options: ListOptions = {}) =>
      this.request<Page<Member>>('GET', `v1/tenants/${segment(tenantId)}/users`, { query: { ...options } }),
    add: (tenantId: string, userId: string) =>
      this.request<void>('PUT', `v1/tenants/${segment(tenantId)}/users/${segment(userId)}`),
    remove: (tenantId: string, userId: string) =>
      this.request<void>('DELETE', `v1/tenants/${segment(tenantId)}/users/${segment(userId)}`),
  };

  /** Grants of roles and permissions: in a tenant when `tenantId` is given, else global. */
  readonly grants = {
    addRole: ({ userId, roleId, tenantId }: { userId: string; roleId: string; tenantId?: string }) =>
      this.request<void>('PUT', `${grantBase(userId, tenantId)}/roles/${segment(roleId)}`),
    removeRole: ({ userId, roleId, tenantId }: { userId: string; roleId: string; tenantId?: string }) =>
      this.request<void>('DELETE', `${grantBase(userId, tenantId)}/roles/${segment(roleId)}`),
    addPermission: ({ userId, permissionId, tenantId }: { userId: string; permissionId: string; tenantId?: string }) =>
      this.request<void>('PUT', `${grantBase(userId, tenantId)}/permissions/${segment(permissionId)}`),
    removePermission: ({
      userId,
      permissionId,
      tenantId,
    }: {
      userId: string;
      permissionId: string;
      tenantId?: string;
    }) => this.request<void>('DELETE', `${grantBase(userId, tenantId)}/permissions/${segment(permissionId)}`),
    /** The user's global roles and permissions. */
    global: (userId: string) => this.request<GlobalGrants>('GET', `v1/users/${segment(userId)}/grants`),
  };

  readonly admin = {
    /**
     * Impersonation: a session token for another user, by `email` or `userId` (exactly one).
     * Its life is capped by TESSERA_IMPERSONATION_MAX_SECONDS whatever `expiration` asks.
     */
    createSessionToken: (body: {
      email?: string;
      userId?: string;
      expiration?: number;
      /** A time limit in seconds (capped likewise); the cap when omitted. */
      lifetime?: number;
      /** Why: recorded in the `impersonation.started` audit event. */
      reason?: string;
    }) => this.request<CreateSessionTokenResponse>('POST', 'v1/admin/session-tokens', { body }),
    /** What the caller may do in the admin console: super admin, or the tenants they administer. */
    access: () => this.request<ConsoleAccess>('GET', 'v1/admin/access'),
    /** Whether `createSessionToken` would let the caller act as this user now. */
    mayImpersonate: (userId: string) =>
      this.request<ImpersonationAllowed>('GET', `v1/admin/users/${segment(userId)}/impersonation`),
    apiKeys: {
      /** The secret is in the answer, and nowhere else, ever. */
      create: (body: { name: string; roles: [ApiKeyRole]; expiresAt?: string }) =>
        this.request<CreateApiKeyResponse>('POST', 'v1/admin/api-keys', { body }),
      list: (options: ListOptions = {}) =>
        this.request<Page<ApiKey>>('GET', 'v1/admin/api-keys', { query: { ...options } }),
      revoke: (id: string) => this.request<void>('DELETE', `v1/admin/api-keys/${segment(id)}`),
    },
    users: {
      sessions: (userId: string, options: ListOptions = {}) =>
        this.request<Page<Session>>('GET', `v1/admin/users/${segment(userId)}/sessions`, { query: { ...options } }),
      /** Ends one session of the user (404 when they have no such live session). */
      revokeSession: (userId: string, sessionId: string) =>
        this.request<void>('DELETE', `v1/admin/users/${segment(userId)}/sessions/${segment(sessionId)}`),
      revokeSessions: (userId: string) =>
        this.request<RevokedResponse>('DELETE', `v1/admin/users/${segment(userId)}/sessions`),
      disable: (userId: string) => this.request<User>('POST', `v1/admin/users/${segment(userId)}/disable`),
      enable: (userId: string) => this.request<User>('POST', `v1/admin/users/${segment(userId)}/enable`),
      /** Removes the user's second factor and recovery codes (a lost phone); their sessions end. */
      resetMfa: (userId: string) => this.request<RevokedResponse>('DELETE', `v1/admin/users/${segment(userId)}/mfa`),
    },
    /** Newest first; `userId` matches events whose actor or subject is that user. */
    auditEvents: (options: ListOptions & { userId?: string; type?: AuditEventType; from?: string; to?: string } = {}) =>
      this.request<Page<AuditEvent>>('GET', 'v1/admin/audit-events', { query: { ...options } }),
  };

  /**
   * May this user do these things? With an admin key name the `userId`; with a session it defaults
   * to the session's own user (naming another is 403).
   */
  check(body: { userId?: string; op?: 'allOf' | 'anyOf'; checks: CheckItem[] }): Promise<CheckResponse> {
    return this.request<CheckResponse>('POST', 'v1/check', { body });
  }

  readonly health = {
    live: () => this.request<HealthResponse>('GET', 'health'),
    ready: () => this.request<HealthResponse>('GET', 'health/ready'),
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
