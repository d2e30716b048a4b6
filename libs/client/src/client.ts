import type {
  ChangePasswordRequest,
  CreateUserRequest,
  CurrentSessionResponse,
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

const segment = (value: string) => encodeURIComponent(value);

/**
 * The typed Tessera client. Every method resolves with the response body or rejects with a
 * TesseraError carrying the HTTP status and API.md error code.
 *
 *   const admin = new TesseraClient({ baseUrl, apiKey });
 *   const { token } = await new TesseraClient({ baseUrl }).auth.signIn({ email, password });
 *   const me = await admin.withToken(token).sessions.current();
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
    signIn: (body: SignInRequest) => this.request<SignInResponse>('POST', 'v1/auth/sign-in', { body }),
    /** Ends this session, or with `{all: true}` every session of this user. */
    signOut: (body: { all?: boolean } = {}) => this.request<RevokedResponse>('POST', 'v1/auth/sign-out', { body }),
    changePassword: (body: ChangePasswordRequest) =>
      this.request<RevokedResponse>('POST', 'v1/auth/change-password', { body }),
  };

  readonly sessions = {
    current: () => this.request<CurrentSessionResponse>('GET', 'v1/sessions/current'),
    list: (options: ListOptions = {}) => this.request<Page<Session>>('GET', 'v1/sessions', { query: { ...options } }),
    revoke: (sessionId: string) => this.request<void>('DELETE', `v1/sessions/${segment(sessionId)}`),
  };

  readonly users = {
    create: (body: CreateUserRequest) => this.request<User>('POST', 'v1/users', { body }),
    list: (options: ListOptions = {}) => this.request<Page<User>>('GET', 'v1/users', { query: { ...options } }),
  };

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
