import {
  PASSWORD,
  TestStore,
  failure,
  randomKey,
  sleep,
  uniqueEmail,
  describeWithPostgresAndRedis,
  sessionOf,
} from './harness.js';
import { sharedProcessEnv, startApiProcess, type ApiProcess } from './process.js';
import { FaultProxy } from './proxy.js';

/** Polls until `check` passes or `ms` run out; resolves to how long it took. */
async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < ms) {
    if (await check().catch(() => false)) return Date.now() - started;
    await sleep(200);
  }
  throw new Error(`not within ${ms} ms`);
}

/** Whether a process counts in Redis: every time it said Redis was unavailable, it said it was back. */
function usesRedis(server: ApiProcess): boolean {
  const count = (text: string) => server.logs().split(text).length - 1;
  return count('Redis is unavailable') === count('Redis is reachable again');
}

describeWithPostgresAndRedis('several processes on PostgreSQL and Redis, and their faults', ({ redisUrl }) => {
  const store = new TestStore('postgres');
  const rootKey = randomKey();
  let pgProxy: FaultProxy;
  let redisProxy: FaultProxy;
  let a: ApiProcess;
  let b: ApiProcess;

  beforeAll(async () => {
    const direct = new URL(await store.databaseUrl());
    pgProxy = await new FaultProxy(direct.hostname, Number(direct.port || 5432)).start();
    const viaProxy = new URL(direct);
    viaProxy.port = String(pgProxy.port);
    const redis = new URL(redisUrl);
    redisProxy = await new FaultProxy(redis.hostname, Number(redis.port || 6379)).start();
    const env = sharedProcessEnv(viaProxy.toString(), `redis://127.0.0.1:${redisProxy.port}`, store.dir);
    a = await startApiProcess(env, rootKey);
    b = await startApiProcess(env, rootKey);
  }, 60_000);

  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await pgProxy?.close();
    await redisProxy?.close();
    await store.drop();
  });

  it('signs in on A, works on B; revoked on B, A rejects the very next request', async () => {
    const email = uniqueEmail();
    await a.admin.users.create({ email, password: PASSWORD });
    const { token } = await sessionOf(a.anon.auth.signIn({ email, password: PASSWORD }));
    await expect(b.anon.withToken(token).sessions.current()).resolves.toHaveProperty('session');
    await expect(a.anon.withToken(token).sessions.current()).resolves.toHaveProperty('session');
    await b.anon.withToken(token).auth.signOut();
    expect((await failure(a.anon.withToken(token).sessions.current())).code).toBe('token_revoked');
  });

  it('answers a check on B from the grants A changed a moment ago, however often B was asked it before', async () => {
    const { tenantId } = await a.admin.tenants.create({ name: 'Scale-out' });
    const user = await a.admin.users.create({ email: uniqueEmail() });
    const checks = [
      { permission: 'impersonate-users', tenantId },
      { role: 'admin', tenantId },
    ];
    const onB = async () => (await b.admin.check({ userId: user.userId, checks })).results;
    expect(await onB()).toEqual([false, false]);
    expect(await onB()).toEqual([false, false]);
    await a.admin.grants.addRole({ userId: user.userId, roleId: 'admin', tenantId });
    expect(await onB()).toEqual([true, true]);
    expect(await onB()).toEqual([true, true]);
    await a.admin.roles.removePermission('admin', 'impersonate-users');
    try {
      expect(await onB()).toEqual([false, true]);
    } finally {
      await a.admin.roles.addPermission('admin', 'impersonate-users');
    }
    expect(await onB()).toEqual([true, true]);
    await a.admin.grants.removeRole({ userId: user.userId, roleId: 'admin', tenantId });
    expect(await onB()).toEqual([false, false]);
  });

  it('shares the brute-force counters through Redis', async () => {
    const email = uniqueEmail();
    await a.admin.users.create({ email, password: PASSWORD });
    await failure(a.anon.auth.signIn({ email, password: 'wrong' }));
    await failure(b.anon.auth.signIn({ email, password: 'wrong' }));
    await failure(a.anon.auth.signIn({ email, password: 'wrong' }));
    expect((await failure(b.anon.auth.signIn({ email, password: PASSWORD }))).code).toBe('too_many_requests');
  });

  it('keeps working without Redis (per-process limits, one warning) and uses it again when it returns', async () => {
    const email = uniqueEmail();
    await a.admin.users.create({ email, password: PASSWORD });
    redisProxy.cut();
    try {
      await expect(a.anon.auth.signIn({ email, password: PASSWORD })).resolves.toHaveProperty('token');
      await expect(b.anon.auth.signIn({ email, password: PASSWORD })).resolves.toHaveProperty('token');
      const ready = await a.anon.health.ready();
      expect(ready).toEqual({ status: 'degraded', checks: { database: 'ok', redis: 'unavailable' } });
      for (let i = 0; i < 3; i++) await sessionOf(a.anon.auth.signIn({ email, password: PASSWORD }));
      expect(a.logs().match(/Redis is unavailable/g)).toHaveLength(1);
    } finally {
      redisProxy.restore();
    }
    // Shared again once both processes use Redis again: each says so at its first request after
    // Redis returns (B may not have noticed the cut at all, then it never left Redis).
    const other = uniqueEmail();
    await a.admin.users.create({ email: other, password: PASSWORD });
    for (const server of [a, b]) {
      await within(10_000, async () => (await server.anon.health.ready()).status === 'ok');
      await within(10_000, async () => {
        await sessionOf(server.anon.auth.signIn({ email: other, password: PASSWORD }));
        return usesRedis(server);
      });
    }
    // Failures on A and B add up.
    await failure(a.anon.auth.signIn({ email: other, password: 'wrong' }));
    await failure(b.anon.auth.signIn({ email: other, password: 'wrong' }));
    await failure(a.anon.auth.signIn({ email: other, password: 'wrong' }));
    expect((await failure(b.anon.auth.signIn({ email: other, password: PASSWORD }))).code).toBe('too_many_requests');
  }, 40_000);

  it('answers 503 fast while the database is gone, stays up, never accepts a revoked token, and recovers', async () => {
    const email = uniqueEmail();
    await a.admin.users.create({ email, password: PASSWORD });
    const live = await sessionOf(a.anon.auth.signIn({ email, password: PASSWORD }));
    const revoked = await sessionOf(a.anon.auth.signIn({ email, password: PASSWORD }));
    await a.anon.withToken(revoked.token).auth.signOut();

    pgProxy.cut();
    try {
      for (const server of [a, b]) {
        const started = Date.now();
        const error = await failure(server.anon.withToken(live.token).sessions.current());
        expect([error.status, error.code]).toEqual([503, 'service_unavailable']);
        expect(Date.now() - started).toBeLessThan(5000);
        const stale = await failure(server.anon.withToken(revoked.token).sessions.current());
        expect(stale.status).toBe(503);
        const ready = await failure(server.anon.health.ready());
        expect([ready.status, ready.code]).toEqual([503, 'service_unavailable']);
        await expect(server.anon.health.live()).resolves.toEqual({ status: 'ok' });
      }
      expect(a.alive() && b.alive()).toBe(true);
    } finally {
      pgProxy.restore();
    }
    for (const server of [a, b]) {
      await within(
        15_000,
        async () => (await server.anon.withToken(live.token).sessions.current()).session.id === live.session.id,
      );
      expect((await failure(server.anon.withToken(revoked.token).sessions.current())).code).toBe('token_revoked');
      await expect(server.anon.health.ready()).resolves.toMatchObject({ status: 'ok' });
    }
  }, 60_000);
});
