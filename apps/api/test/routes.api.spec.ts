import { Controller, Get } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { DataSource } from 'typeorm';
import { MIGRATIONS, openDatabase } from '../src/infra/database/data-source.js';
import { UserEntity } from '../src/users/user.entity.js';
import { TestStore, createAppWith, describeEachDatabase, useServer } from './harness.js';

/** Every route Fastify serves, as `METHOD /path`, in the order Nest registers them. */
const routes: string[] = [];

/**
 * Records the routes from Fastify's onRoute hook (made before Nest registers any route), and has
 * one route that forgot its @Auth: the guard must refuse that one to everybody.
 */
@Controller('test-routes')
class RouteProbeController {
  constructor(http?: HttpAdapterHost) {
    http!.httpAdapter.getInstance<FastifyInstance>().addHook('onRoute', (route) => {
      // Fastify adds a HEAD route beside each GET.
      for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push(`${method} ${route.url}`);
    });
  }

  @Get('undeclared')
  undeclared(): string {
    return 'reached';
  }
}

/** How the guard treats a caller without credentials: admits them, asks for credentials, or refuses (no rule). */
async function ruleSeenBy(url: string, route: string): Promise<'open' | 'credentials' | 'undeclared'> {
  const [method, path] = route.split(' ') as [string, string];
  const response = await fetch(`${url}${path.replace(/:[A-Za-z]+|\*/g, 'x')}`, { method });
  const text = await response.text();
  const json = response.headers.get('content-type')?.includes('json') ?? false;
  const message = json ? (JSON.parse(text) as { message?: string }).message : undefined;
  if (response.status === 401 && message === 'Credentials required') return 'credentials';
  if (response.status === 403 && message === 'This route declares no access rule') return 'undeclared';
  return 'open';
}

describeEachDatabase('routes and schema', (db) => {
  const t = useServer(db);

  it('every route declares who may call it: a few are open, every other one wants credentials', async () => {
    const store = new TestStore(db);
    routes.length = 0;
    const app = await createAppWith(store, RouteProbeController);
    try {
      await app.listen({ port: 0, host: '127.0.0.1' });
      const url = await app.getUrl();
      const seen = { open: [] as string[], credentials: [] as string[], undeclared: [] as string[] };
      for (const route of routes) seen[await ruleSeenBy(url, route)].push(route);
      expect(routes.length).toBeGreaterThan(100);
      expect(seen.undeclared).toEqual(['GET /test-routes/undeclared']);
      expect(seen.open.sort()).toEqual([
        'GET /',
        'GET /:first',
        'GET /:first/:second',
        'GET /:first/:second/:third',
        'GET /account',
        'GET /assets/:file',
        'GET /checks',
        'GET /console',
        'GET /console/*',
        'GET /docs',
        'GET /docs/init.js',
        'GET /docs/openapi.json',
        'GET /docs/swagger-ui-bundle.js',
        'GET /docs/swagger-ui.css',
        'GET /favicon.svg',
        'GET /forgot-password',
        'GET /health',
        'GET /health/ready',
        'GET /reset-password',
        'GET /self-service',
        'GET /sessions',
        'GET /sign-up',
        'GET /verify-email',
        'POST /tenant',
        'POST /v1/auth/password-reset',
        'POST /v1/auth/password-reset/confirm',
        'POST /v1/auth/sign-in',
        'POST /v1/auth/sign-in/mfa',
        'POST /v1/auth/sign-up',
        'POST /v1/auth/verify-email',
        'POST /v1/self-service/exchange',
      ]);
    } finally {
      await app.close();
      await store.drop();
    }
  });

  it('serves an OpenAPI document listing the API routes with their access rules', async () => {
    const doc = (await (await fetch(`${t.server.url}/docs/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, Record<string, { 'x-callers': string[]; requestBody?: unknown }>>;
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.paths['/v1/auth/sign-in']?.post?.['x-callers']).toEqual(['sign-in']);
    expect(doc.paths['/v1/auth/sign-in']?.post?.requestBody).toBeDefined();
    expect(doc.paths['/v1/sessions/{id}']?.delete?.['x-callers']).toEqual(['user', 'impersonation']);
    expect(doc.paths['/v1/users']?.get?.['x-callers']).toEqual(['admin', 'user']);
    const page = await fetch(`${t.server.url}/docs`);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('swagger-ui');
  });

  it('answers liveness and readiness', async () => {
    await expect(t.server.anon.health.live()).resolves.toEqual({ status: 'ok' });
    await expect(t.server.anon.health.ready()).resolves.toEqual({ status: 'ok', checks: { database: 'ok' } });
  });

  it('entities and migrations describe the same schema (the entities every module registers)', async () => {
    const dataSource = t.server.db;
    expect(dataSource.entityMetadatas.length).toBeGreaterThanOrEqual(23);
    const pending = await dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('upgrades an existing database without losing users (every migration after the first run)', async () => {
    const store = new TestStore(db);
    const database =
      db === 'sqlite'
        ? ({ kind: 'sqlite', file: `${store.dir}/upgrade.sqlite` } as const)
        : ({ kind: 'postgres', url: await store.databaseUrl() } as const);
    try {
      // A database as the first release left it, with a user in it.
      const old = new DataSource({
        ...(database.kind === 'sqlite'
          ? { type: 'better-sqlite3', database: database.file }
          : { type: 'postgres', url: database.url }),
        entities: [],
        migrations: MIGRATIONS.slice(0, 1),
      } as never);
      await old.initialize();
      await old.runMigrations();
      await old.query(
        `INSERT INTO users (id, email, password_hash, super_admin, disabled_at, created_at, updated_at) VALUES ('kept', 'kept@example.test', NULL, FALSE, NULL, 1, 1)`,
      );
      await old.destroy();

      const upgraded = await openDatabase(database, [UserEntity]);
      try {
        expect(await upgraded.getRepository(UserEntity).findOneBy({ id: 'kept' })).toMatchObject({
          email: 'kept@example.test',
        });
        expect((await upgraded.driver.createSchemaBuilder().log()).upQueries).toEqual([]);
      } finally {
        await upgraded.destroy();
      }
    } finally {
      await store.drop();
    }
  });
});
