import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import pg from 'pg';
import { DataSource, type Logger } from 'typeorm';
import { TesseraClient, isMfaChallenge, type SignInResponse, type SignInResult } from '@tessera/client';
import { createApp } from '../src/app.js';
import { AppModule } from '../src/app.module.js';
import { loadConfig } from '../src/infra/config/config.js';

export type DatabaseKind = 'sqlite' | 'postgres';

/**
 * The databases every API suite runs on: SQLite always, PostgreSQL when TEST_DATABASE_URL is set
 * (the test command sets it, and in CI refuses to run without a reachable PostgreSQL).
 */
export function testDatabases(): DatabaseKind[] {
  return process.env.TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];
}

/** Runs a suite once per database, naming the database in every test title. */
export function describeEachDatabase(name: string, suite: (db: DatabaseKind) => void): void {
  for (const db of testDatabases()) describe(`${name} [${db}]`, () => suite(db));
}

/** Where one server keeps its data: an SQLite file in a temp dir, or a PostgreSQL schema of its own. */
export class TestStore {
  readonly dir = mkdtempSync(join(tmpdir(), 'tessera-test-'));
  private readonly schema = `t_${randomBytes(6).toString('hex')}`;
  private created = false;

  constructor(readonly kind: DatabaseKind) {}

  async databaseUrl(): Promise<string> {
    if (this.kind === 'sqlite') return `sqlite:${join(this.dir, 'tessera.sqlite')}`;
    const base = process.env.TEST_DATABASE_URL!;
    if (!this.created) {
      await withPg(base, (c) => c.query(`CREATE SCHEMA ${this.schema}`));
      this.created = true;
    }
    const url = new URL(base);
    url.searchParams.set('options', `-c search_path=${this.schema}`);
    return url.toString();
  }

  async drop(): Promise<void> {
    if (this.created)
      await withPg(process.env.TEST_DATABASE_URL!, (c) => c.query(`DROP SCHEMA ${this.schema} CASCADE`));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

async function withPg<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface TestServer {
  url: string;
  app: NestFastifyApplication;
  /** The running server's own DataSource, to assert what the database holds. */
  db: DataSource;
  rootKey: string;
  /** The HS256 secret the server signs with, to forge tokens in hostile-input tests. */
  jwtSecret: string;
  /** A client with no credentials. */
  anon: TesseraClient;
  /** A client with the root admin API key. */
  admin: TesseraClient;
  close(): Promise<void>;
}

export const randomKey = () => `tsk_test_${randomBytes(24).toString('base64url')}`;

/** Fixed per store, so a restarted server verifies the tokens of the one before. */
const jwtSecrets = new WeakMap<TestStore, string>();

/** Starts the real app on 127.0.0.1 and an ephemeral port, with its data in `store`. */
export async function startServer(store: TestStore, env: Record<string, string> = {}): Promise<TestServer> {
  if (!jwtSecrets.has(store)) jwtSecrets.set(store, randomBytes(32).toString('base64url'));
  const rootKey = env.TESSERA_ROOT_API_KEY ?? randomKey();
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: await store.databaseUrl(),
    TESSERA_DATA_DIR: store.dir,
    TESSERA_JWT_SECRET: jwtSecrets.get(store)!,
    TESSERA_LOG_LEVEL: 'silent',
    TESSERA_ROOT_API_KEY: rootKey,
    // Every test request comes from 127.0.0.1: per-IP limits would throttle the suite itself.
    TESSERA_SIGN_IN_IP_LIMIT: '1000000',
    TESSERA_PUBLIC_IP_LIMIT: '1000000',
    ...env,
  });
  const app = await createApp(config);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  if (address === null || typeof address === 'string') throw new Error('server has no TCP address');
  const url = `http://127.0.0.1:${address.port}`;
  return {
    url,
    app,
    db: app.get(DataSource),
    rootKey,
    jwtSecret: config.jwt.secret!,
    anon: new TesseraClient({ baseUrl: url }),
    admin: new TesseraClient({ baseUrl: url, apiKey: rootKey }),
    close: () => app.close(),
  };
}

/** The whole service on `store` with one controller of the test's own beside it, not yet listening. */
export async function createAppWith(store: TestStore, controller: new () => object): Promise<NestFastifyApplication> {
  const config = loadConfig({
    DATABASE_URL: await store.databaseUrl(),
    TESSERA_DATA_DIR: store.dir,
    TESSERA_JWT_SECRET: randomBytes(32).toString('base64url'),
    TESSERA_ROOT_API_KEY: randomKey(),
    TESSERA_LOG_LEVEL: 'silent',
  });
  @Module({ imports: [AppModule.forRoot(config)], controllers: [controller] })
  class WithExtra {}
  return createApp(config, { module: WithExtra });
}

/**
 * Runs a teardown step, saying which one it was if it is still pending after 20 s: Jest's hook
 * timeout names only the hook.
 */
async function reportIfSlow(step: string, run: () => Promise<void> | undefined): Promise<void> {
  const timer = setTimeout(() => console.error(`teardown: ${step} still pending after 20 s`), 20_000);
  try {
    await run();
  } finally {
    clearTimeout(timer);
  }
}

/** A server on a fresh store for one test file: `const t = useServer('sqlite')` then `t.server`. */
export function useServer(kind: DatabaseKind, env: Record<string, string> = {}) {
  const ctx = {} as { server: TestServer; store: TestStore };
  beforeAll(async () => {
    ctx.store = new TestStore(kind);
    ctx.server = await startServer(ctx.store, env);
  });
  afterAll(async () => {
    await reportIfSlow('server.close()', () => ctx.server?.close());
    await reportIfSlow('store.drop()', () => ctx.store?.drop());
  });
  return ctx;
}

let counter = 0;
/** An email no other test uses. */
export const uniqueEmail = (label = 'user') => `${label}.${process.pid}.${Date.now()}.${++counter}@example.test`;

export const PASSWORD = 'correct horse battery staple';

let idCounter = 0;
/** An id no other test uses, for tenants, roles, permissions and users. */
export const uid = (label: string) => `${label}-${Date.now().toString(36)}-${++idCounter}`;

/**
 * A sign-in that must have answered with a session: the user has no second factor. `auth.signIn`
 * resolves to a session or, for a user with one, to a challenge (`isMfaChallenge`).
 */
export async function sessionOf(result: SignInResult | Promise<SignInResult>): Promise<SignInResponse> {
  const answer = await result;
  if (isMfaChallenge(answer)) throw new Error('expected a session, the sign-in asked for a second factor');
  return answer;
}

/** A user with a password, signed in: the most common starting point. */
export async function signedInUser(server: TestServer, options: { expiration?: number; email?: string } = {}) {
  const email = options.email ?? uniqueEmail();
  const user = await server.admin.users.create({ email, password: PASSWORD });
  const signIn = await sessionOf(
    server.anon.auth.signIn({ email, password: PASSWORD, expiration: options.expiration }),
  );
  return { user, email, token: signIn.token, session: signIn.session, client: server.anon.withToken(signIn.token) };
}

/** Resolves with the TesseraError a call rejects with; fails the test if it succeeds. */
export async function failure(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    return error as import('@tessera/client').TesseraError;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Records every statement the server's DataSource runs while `fn` runs. */
export async function capture(
  db: DataSource,
  fn: () => Promise<unknown>,
): Promise<{ sql: string; params: unknown[] }[]> {
  const seen: { sql: string; params: unknown[] }[] = [];
  const original = db.logger;
  const recorder: Logger = {
    logQuery: (sql, params) => void seen.push({ sql, params: Array.isArray(params) ? params : [] }),
    logQueryError: () => undefined,
    logQuerySlow: () => undefined,
    logSchemaBuild: () => undefined,
    logMigration: () => undefined,
    log: () => undefined,
  };
  (db as { logger: Logger }).logger = recorder;
  try {
    await fn();
  } finally {
    (db as { logger: Logger }).logger = original;
  }
  return seen;
}

/** A signed-in user holding the global role super_admin. */
export async function superAdmin(server: TestServer) {
  const s = await signedInUser(server);
  await server.admin.grants.addRole({ userId: s.user.userId, roleId: 'super_admin' });
  return s;
}

/** A tenant with a tenant admin (role `admin`: impersonate-users there) and a plain member, both signed in. */
export async function tenantWithAdmin(server: TestServer) {
  const tenant = await server.admin.tenants.create({ name: 'Support' });
  const admin = await signedInUser(server);
  const member = await signedInUser(server);
  await server.admin.grants.addRole({ tenantId: tenant.tenantId, userId: admin.user.userId, roleId: 'admin' });
  await server.admin.grants.addRole({ tenantId: tenant.tenantId, userId: member.user.userId, roleId: 'member' });
  return { tenantId: tenant.tenantId, admin, member };
}

/**
 * A suite that needs a real PostgreSQL and Redis (`npm test` starts them; CI refuses to run without
 * them). Without them one test fails and says why, rather than the suite quietly running nothing.
 */
export function describeWithPostgresAndRedis(name: string, suite: (urls: { pgUrl: string; redisUrl: string }) => void) {
  const pgUrl = process.env.TEST_DATABASE_URL;
  const redisUrl = process.env.TEST_REDIS_URL;
  if (!pgUrl || !redisUrl) {
    it('needs PostgreSQL and Redis (TEST_DATABASE_URL, TEST_REDIS_URL)', () => {
      throw new Error('PostgreSQL and Redis are not configured: run the suite through `npm test`');
    });
    return;
  }
  describe(name, () => suite({ pgUrl, redisUrl }));
}
