import { isIP } from 'node:net';
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const seconds = z.coerce.number().int().positive();
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));

/** Every environment variable Tessera reads, with its default (README "Configuration"). */
const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: optionalString,
  TESSERA_SQLITE_SHARED: bool.default(false),
  TESSERA_DATA_DIR: z.string().min(1).default('./data'),
  TESSERA_PUBLIC_URL: optionalString,
  TESSERA_JWT_SECRET: optionalString.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
  // A previous secret still verifies tokens, so it must be as strong as the current one.
  TESSERA_JWT_PREVIOUS_SECRETS: optionalString.refine(
    (v) => v === undefined || v.split(',').every((s) => s.trim() === '' || s.trim().length >= 32),
    'each secret must be at least 32 characters',
  ),
  TESSERA_SESSION_DEFAULT_EXPIRATION: seconds.default(1800),
  TESSERA_SESSION_MAX_EXPIRATION: seconds.default(30 * 24 * 3600),
  TESSERA_SESSION_MAX_LIFETIME: seconds.default(30 * 24 * 3600),
  TESSERA_SIGN_IN_REQUIRES_LOGIN_KEY: bool.default(false),
  TESSERA_AUTHORIZATION_SESSION_MAX_TTL: seconds.default(86400),
  TESSERA_IMPERSONATION_MAX_SECONDS: seconds.default(3600),
  TESSERA_CORS_ORIGINS: optionalString,
  TESSERA_SELF_SERVICE_REDIRECT_ORIGINS: optionalString,
  TESSERA_SELF_SERVICE_SESSION_MAX_TTL: seconds.default(3600),
  TESSERA_ROOT_API_KEY: optionalString.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
  TESSERA_LOGIN_API_KEY: optionalString.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
  TESSERA_ADMIN_EMAIL: optionalString.pipe(z.email().optional()),
  TESSERA_ADMIN_PASSWORD: optionalString.pipe(z.string().min(8).max(128).optional()),
  REDIS_URL: optionalString.pipe(
    z
      .string()
      .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
      .optional(),
  ),
  TESSERA_REDIS_KEY_PREFIX: z.string().max(64).default('tessera:'),
  TESSERA_SIGN_IN_IP_LIMIT: z.coerce.number().int().positive().default(60),
  TESSERA_SIGN_IN_ACCOUNT_FAILURES: z.coerce.number().int().positive().default(5),
  TESSERA_PUBLIC_IP_LIMIT: z.coerce.number().int().positive().default(60),
  TESSERA_RATE_LIMIT_MEMORY_ENTRIES: z.coerce.number().int().positive().default(100_000),
  TESSERA_PASSWORD_QUEUE_PER_CLIENT: z.coerce.number().int().positive().default(8),
  TESSERA_BODY_LIMIT: z.coerce
    .number()
    .int()
    .min(1024)
    .default(64 * 1024),
  TESSERA_TRUST_PROXY: optionalString,
  TESSERA_SMTP_URL: optionalString.pipe(
    z
      .string()
      .regex(/^smtps?:\/\/[^/]/, 'must start with smtp:// or smtps://')
      .optional(),
  ),
  TESSERA_MAIL_FROM: optionalString,
  // The first retry of a failed send waits this long; each further one twice as long, up to an hour.
  TESSERA_MAIL_RETRY_BASE_MS: z.coerce.number().int().min(10).max(3_600_000).default(5000),
  // 32 bytes: 64 hex digits, or base64 / base64url.
  TESSERA_ENCRYPTION_KEY: optionalString.refine(
    (v) => v === undefined || encryptionKeyBytes(v) !== null,
    'must be 32 bytes: 64 hex digits or base64',
  ),
  TESSERA_ENCRYPTION_PREVIOUS_KEYS: optionalString.refine(
    (v) => v === undefined || v.split(',').every((k) => k.trim() === '' || encryptionKeyBytes(k.trim()) !== null),
    'each key must be 32 bytes: 64 hex digits or base64',
  ),
  TESSERA_SIGN_UP: z.enum(['closed', 'open']).default('closed'),
  TESSERA_REQUIRE_VERIFIED_EMAIL: bool.default(false),
  TESSERA_REQUIRE_MFA: z.enum(['none', 'super_admin', 'admin', 'all']).default('none'),
  TESSERA_PASSWORD_MIN_LENGTH: z.coerce.number().int().min(8).max(256).default(8),
  TESSERA_MFA_ISSUER: z.string().min(1).max(64).default('Tessera'),
  TESSERA_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
});

export interface Config {
  port: number;
  host: string;
  /**
   * `sqlite:<file>` is derived from the data dir when DATABASE_URL is unset. `shared`: other
   * processes may open the SQLite file while Tessera runs (otherwise it holds it exclusively).
   */
  database: { kind: 'sqlite'; file: string; shared?: boolean } | { kind: 'postgres'; url: string };
  dataDir: string;
  publicUrl: string | undefined;
  jwt: { secret: string | undefined; previousSecrets: string[] };
  session: { defaultExpiration: number; maxExpiration: number; maxLifetime: number };
  /** Longest life of an impersonation session, seconds, whatever expiration is asked. */
  impersonationMaxSeconds: number;
  /** Largest ttl of an authorization (`sess`) session, seconds. */
  authorizationSessionMaxTtl: number;
  /** Largest ttl of a self-service (`ssdash`) session, seconds. */
  selfServiceSessionMaxTtl: number;
  /** Origins a self-service dashboard may send its user back to. */
  selfServiceRedirectOrigins: string[];
  /** Browser origins allowed to call the API cross-origin (CORS); empty: none. */
  corsOrigins: string[];
  signInRequiresLoginKey: boolean;
  bootstrap: {
    rootApiKey: string | undefined;
    loginApiKey: string | undefined;
    adminEmail: string | undefined;
    adminPassword: string | undefined;
  };
  /** Shared state for several API processes (rate-limit counters); optional. */
  redisUrl: string | undefined;
  redisKeyPrefix: string;
  rateLimits: {
    signInPerIpPerMinute: number;
    signInAccountFailures: number;
    publicPerIpPerMinute: number;
    /** Counters one process keeps in memory (without Redis, or while it is away). */
    memoryEntries: number;
    /** Password hashes one client IP or one account may have running or waiting at once. */
    passwordQueuePerClient: number;
  };
  bodyLimit: number;
  trustProxy: TrustProxy;
  /**
   * Outgoing mail: over SMTP when a URL is set, else written to `<data dir>/outbox/` as .eml files.
   * `retryBaseMs`: the wait before the first retry of a failed send (then doubling, at most 1 h).
   */
  mail: { smtpUrl: string | undefined; from: string; retryBaseMs: number };
  /** The key secrets at rest are sealed with (AES-256-GCM), and older ones that still open them. */
  encryption: { key: Buffer | undefined; previousKeys: Buffer[] };
  accounts: {
    signUp: 'open' | 'closed';
    requireVerifiedEmail: boolean;
    /** Who must enrol a second factor before their session may do anything else. */
    requireMfa: 'none' | 'super_admin' | 'admin' | 'all';
    passwordMinLength: number;
    /** The issuer an authenticator app shows beside the account. */
    mfaIssuer: string;
  };
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
}

/**
 * Which proxies in front of Tessera may name the client in X-Forwarded-For. `false`: none, the
 * client is the socket's peer. `hops`: the nearest N addresses (the peer first) are proxies, whoever
 * the peer is, so only for an API that nothing reaches but through the proxy. `addresses`: peers at
 * these addresses or CIDRs are proxies, however many in a row.
 */
export type TrustProxy = false | { hops: number } | { addresses: string[] };

export class ConfigError extends Error {}

/** Reads and validates the environment; a bad value stops the process naming the variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.TESSERA_ADMIN_EMAIL && !e.TESSERA_ADMIN_PASSWORD) {
    throw new ConfigError('Invalid configuration:\n  TESSERA_ADMIN_PASSWORD: required when TESSERA_ADMIN_EMAIL is set');
  }
  if (e.TESSERA_SMTP_URL && !e.TESSERA_MAIL_FROM) {
    throw new ConfigError('Invalid configuration:\n  TESSERA_MAIL_FROM: required when TESSERA_SMTP_URL is set');
  }
  if (e.TESSERA_SESSION_DEFAULT_EXPIRATION > e.TESSERA_SESSION_MAX_EXPIRATION) {
    throw new ConfigError(
      'Invalid configuration:\n  TESSERA_SESSION_DEFAULT_EXPIRATION: must not exceed TESSERA_SESSION_MAX_EXPIRATION',
    );
  }
  return {
    port: e.PORT,
    host: e.HOST,
    database: parseDatabaseUrl(e.DATABASE_URL, e.TESSERA_DATA_DIR, e.TESSERA_SQLITE_SHARED),
    dataDir: e.TESSERA_DATA_DIR,
    publicUrl: e.TESSERA_PUBLIC_URL?.replace(/\/+$/, ''),
    jwt: {
      secret: e.TESSERA_JWT_SECRET,
      previousSecrets: (e.TESSERA_JWT_PREVIOUS_SECRETS ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0),
    },
    session: {
      defaultExpiration: e.TESSERA_SESSION_DEFAULT_EXPIRATION,
      maxExpiration: e.TESSERA_SESSION_MAX_EXPIRATION,
      maxLifetime: e.TESSERA_SESSION_MAX_LIFETIME,
    },
    authorizationSessionMaxTtl: e.TESSERA_AUTHORIZATION_SESSION_MAX_TTL,
    impersonationMaxSeconds: e.TESSERA_IMPERSONATION_MAX_SECONDS,
    corsOrigins: parseOrigins('TESSERA_CORS_ORIGINS', e.TESSERA_CORS_ORIGINS),
    selfServiceSessionMaxTtl: e.TESSERA_SELF_SERVICE_SESSION_MAX_TTL,
    selfServiceRedirectOrigins: parseOrigins(
      'TESSERA_SELF_SERVICE_REDIRECT_ORIGINS',
      e.TESSERA_SELF_SERVICE_REDIRECT_ORIGINS,
    ),
    signInRequiresLoginKey: e.TESSERA_SIGN_IN_REQUIRES_LOGIN_KEY,
    bootstrap: {
      rootApiKey: e.TESSERA_ROOT_API_KEY,
      loginApiKey: e.TESSERA_LOGIN_API_KEY,
      adminEmail: e.TESSERA_ADMIN_EMAIL,
      adminPassword: e.TESSERA_ADMIN_PASSWORD,
    },
    redisUrl: e.REDIS_URL,
    redisKeyPrefix: e.TESSERA_REDIS_KEY_PREFIX,
    rateLimits: {
      signInPerIpPerMinute: e.TESSERA_SIGN_IN_IP_LIMIT,
      signInAccountFailures: e.TESSERA_SIGN_IN_ACCOUNT_FAILURES,
      publicPerIpPerMinute: e.TESSERA_PUBLIC_IP_LIMIT,
      memoryEntries: e.TESSERA_RATE_LIMIT_MEMORY_ENTRIES,
      passwordQueuePerClient: e.TESSERA_PASSWORD_QUEUE_PER_CLIENT,
    },
    bodyLimit: e.TESSERA_BODY_LIMIT,
    trustProxy: parseTrustProxy(e.TESSERA_TRUST_PROXY),
    mail: {
      smtpUrl: e.TESSERA_SMTP_URL,
      from: e.TESSERA_MAIL_FROM ?? 'Tessera <tessera@localhost>',
      retryBaseMs: e.TESSERA_MAIL_RETRY_BASE_MS,
    },
    encryption: {
      key: e.TESSERA_ENCRYPTION_KEY === undefined ? undefined : encryptionKeyBytes(e.TESSERA_ENCRYPTION_KEY)!,
      previousKeys: (e.TESSERA_ENCRYPTION_PREVIOUS_KEYS ?? '')
        .split(',')
        .map((k) => k.trim())
        .filter((k) => k !== '')
        .map((k) => encryptionKeyBytes(k)!),
    },
    accounts: {
      signUp: e.TESSERA_SIGN_UP,
      requireVerifiedEmail: e.TESSERA_REQUIRE_VERIFIED_EMAIL,
      requireMfa: e.TESSERA_REQUIRE_MFA,
      passwordMinLength: e.TESSERA_PASSWORD_MIN_LENGTH,
      mfaIssuer: e.TESSERA_MFA_ISSUER,
    },
    logLevel: e.TESSERA_LOG_LEVEL,
  };
}

/** An encryption key as configured: 64 hex digits, or base64 / base64url of 32 bytes; null when neither. */
export function encryptionKeyBytes(value: string): Buffer | null {
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(value)) return null;
  const bytes = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return bytes.length === 32 ? bytes : null;
}

/** A comma-separated list of exact origins (`https://app.example.com`); paths or wildcards are refused. */
function parseOrigins(variable: string, value: string | undefined): string[] {
  const origins = (value ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o !== '');
  const isOrigin = (origin: string) => {
    try {
      return new URL(origin).origin === origin;
    } catch {
      return false;
    }
  };
  for (const origin of origins) {
    if (!isOrigin(origin))
      throw new ConfigError(
        `Invalid configuration:\n  ${variable}: ${origin} is not an origin like https://app.example.com`,
      );
  }
  return origins;
}

/** Names proxy-addr (Fastify's trustProxy) knows for its ranges of private addresses. */
const TRUST_PROXY_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** TESSERA_TRUST_PROXY: unset or `false`, a hop count (`true` is 1: the proxy next to us), or addresses and CIDRs. */
function parseTrustProxy(value: string | undefined): TrustProxy {
  const v = value?.trim().toLowerCase();
  if (v === undefined || v === 'false' || v === 'no' || v === '0') return false;
  if (v === 'true' || v === 'yes') return { hops: 1 };
  if (/^\d+$/.test(v)) return { hops: Number(v) };
  const addresses = v.split(',').map((a) => a.trim());
  const isAddressOrCidr = (entry: string) => {
    const [address = '', prefix, extra] = entry.split('/');
    const family = isIP(address);
    if (family === 0 || extra !== undefined) return false;
    return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
  };
  for (const entry of addresses) {
    if (!TRUST_PROXY_RANGES.has(entry) && !isAddressOrCidr(entry)) {
      throw new ConfigError(
        `Invalid configuration:\n  TESSERA_TRUST_PROXY: "${entry}" is not a hop count, true/false, an IP address, ` +
          'a CIDR (10.0.0.0/8) or loopback/linklocal/uniquelocal',
      );
    }
  }
  return { addresses };
}

function parseDatabaseUrl(url: string | undefined, dataDir: string, shared: boolean): Config['database'] {
  if (url === undefined) return { kind: 'sqlite', file: `${dataDir}/tessera.sqlite`, shared };
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return { kind: 'postgres', url };
  if (url.startsWith('sqlite:')) return { kind: 'sqlite', file: url.slice('sqlite:'.length), shared };
  throw new ConfigError(
    'Invalid configuration:\n  DATABASE_URL: must start with postgres://, postgresql:// or sqlite:',
  );
}

/**
 * The base URL a person on this machine can open for a server listening on `host`: the address
 * actually bound (PORT=0 picks one), with a wildcard host shown as 127.0.0.1.
 */
export function listeningUrl(host: string, address: string | { port: number } | null, configuredPort: number): string {
  const port = typeof address === 'object' && address !== null ? address.port : configuredPort;
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}`;
}

/** Nest injection token for the Config object. */
export const CONFIG = Symbol('CONFIG');
