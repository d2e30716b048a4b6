import { METHOD_METADATA } from '@nestjs/common/constants.js';
import { ModulesContainer } from '@nestjs/core';
import { AUTH_KEY } from '../src/auth/auth.decorator.js';
import { DataSource } from 'typeorm';
import { MIGRATIONS, openDatabase } from '../src/database/data-source.js';
import { UserEntity } from '../src/tenant/user.entity.js';
import { TestStore, describeEachDatabase, useServer } from './harness.js';

describeEachDatabase('routes and schema', (db) => {
  const t = useServer(db);

  it('every route declares who may call it', () => {
    const routes: string[] = [];
    const undeclared: string[] = [];
    for (const module of t.server.app.get(ModulesContainer).values()) {
      for (const { metatype } of module.controllers.values()) {
        const proto = (metatype as { prototype: Record<string, unknown> }).prototype;
        for (const name of Object.getOwnPropertyNames(proto)) {
          const handler = proto[name];
          if (typeof handler !== 'function' || Reflect.getMetadata(METHOD_METADATA, handler) === undefined) continue;
          const label = `${(metatype as { name: string }).name}.${name}`;
          routes.push(label);
          if (!Reflect.getMetadata(AUTH_KEY, handler) && !Reflect.getMetadata(AUTH_KEY, metatype as object)) undeclared.push(label);
        }
      }
    }
    expect(routes.length).toBeGreaterThan(10);
    expect(undeclared).toEqual([]);
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
    expect(doc.paths['/v1/users']?.get?.['x-callers']).toEqual(['admin']);
    const page = await fetch(`${t.server.url}/docs`);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('swagger-ui');
  });

  it('answers liveness and readiness', async () => {
    await expect(t.server.anon.health.live()).resolves.toEqual({ status: 'ok' });
    await expect(t.server.anon.health.ready()).resolves.toEqual({ status: 'ok', checks: { database: 'ok' } });
  });

  it('entities and migrations describe the same schema', async () => {
    const store = new TestStore(db);
    const dataSource = await openDatabase(
      db === 'sqlite' ? { kind: 'sqlite', file: `${store.dir}/schema.sqlite` } : { kind: 'postgres', url: await store.databaseUrl() },
    );
    try {
      const pending = await dataSource.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((q) => q.query)).toEqual([]);
    } finally {
      await dataSource.destroy();
      await store.drop();
    }
  });

  it('upgrades an existing database without losing users (every migration after the first run)', async () => {
    const store = new TestStore(db);
    const database =
      db === 'sqlite' ? ({ kind: 'sqlite', file: `${store.dir}/upgrade.sqlite` } as const) : ({ kind: 'postgres', url: await store.databaseUrl() } as const);
    try {
      // A database as the first release left it, with a user in it.
      const old = new DataSource({
        ...(database.kind === 'sqlite' ? { type: 'better-sqlite3', database: database.file } : { type: 'postgres', url: database.url }),
        entities: [],
        migrations: MIGRATIONS.slice(0, 1),
      } as never);
      await old.initialize();
      await old.runMigrations();
      await old.query(`INSERT INTO users (id, email, password_hash, super_admin, disabled_at, created_at, updated_at) VALUES ('kept', 'kept@example.test', NULL, FALSE, NULL, 1, 1)`);
      await old.destroy();

      const upgraded = await openDatabase(database);
      try {
        expect(await upgraded.getRepository(UserEntity).findOneBy({ id: 'kept' })).toMatchObject({ email: 'kept@example.test' });
        expect((await upgraded.driver.createSchemaBuilder().log()).upQueries).toEqual([]);
      } finally {
        await upgraded.destroy();
      }
    } finally {
      await store.drop();
    }
  });
});
