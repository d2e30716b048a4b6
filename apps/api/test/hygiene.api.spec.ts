import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  PASSWORD,
  TestStore,
  describeEachDatabase,
  failure,
  randomKey,
  signedInUser,
  startServer,
  uniqueEmail,
  useServer,
  sessionOf,
} from './harness.js';
import { NODE_FLAGS, ROOT, startApiProcess } from './process.js';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

describeEachDatabase('hygiene', (db) => {
  const t = useServer(db, { TESSERA_SIGN_IN_ACCOUNT_FAILURES: '1000000' });

  it('sets security headers on every answer, errors included', async () => {
    for (const [path, init] of [
      ['/health', {}],
      ['/v1/sessions/current', {}],
      ['/v1/nope', {}],
      ['/v1/auth/sign-in', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' }],
    ] as const) {
      const response = await fetch(`${t.server.url}${path}`, init);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(response.headers.get('strict-transport-security')).toContain('max-age=');
      // Read to the end: an answer left unread keeps its connection busy.
      await response.arrayBuffer();
    }
    const api = await fetch(`${t.server.url}/v1/sessions/current`);
    expect(api.headers.get('cache-control')).toBe('no-store');
    await api.arrayBuffer();
  });

  it('lets a page set its own CSP and caching over the defaults, each header sent once', async () => {
    const docs = await fetch(`${t.server.url}/docs`);
    expect(docs.status).toBe(200);
    // One value, not the default joined to the page's ("a, b" is what fetch makes of two).
    expect(docs.headers.get('content-security-policy')).toBe(
      "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
    );
    expect(docs.headers.get('x-frame-options')).toBe('DENY');
    expect(docs.headers.get('cache-control')).toBeNull();
    await docs.arrayBuffer();
    const css = await fetch(`${t.server.url}/docs/swagger-ui.css`);
    expect(css.headers.get('cache-control')).toBe('public, max-age=86400');
    expect(css.headers.get('x-content-type-options')).toBe('nosniff');
    await css.arrayBuffer();
  });

  it('answers an unknown email and a wrong password in similar time (within 20%, pair by pair)', async () => {
    const email = uniqueEmail();
    await t.server.admin.users.create({ email, password: PASSWORD });
    const unknown: number[] = [];
    const wrong: number[] = [];
    const time = async (e: string) => {
      const started = performance.now();
      await failure(t.server.anon.auth.signIn({ email: e, password: 'not the password' }));
      return performance.now() - started;
    };
    for (let i = 0; i < 3; i++) await time(email);
    // Interleaved and many, so load on the machine (other test files run in parallel) hits both alike.
    for (let i = 0; i < 31; i++) {
      unknown.push(await time(uniqueEmail('ghost')));
      wrong.push(await time(email));
    }
    // Each pair ran back to back and saw much the same load, so compare pair by pair (the median
    // of the differences). Beside two busy suites this gave 0.3-15 % in twelve runs; the difference
    // of the two medians gave 0.2-17 %, and once went over 20 % in a full run.
    const difference = median(unknown.map((u, i) => u - wrong[i]!));
    expect(Math.abs(difference) / median([...unknown, ...wrong])).toBeLessThan(0.2);
  }, 60_000);

  it('rotates JWT keys: a previous key still configured verifies; removed, its tokens are 401', async () => {
    const store = new TestStore(db);
    const oldSecret = randomBytes(32).toString('base64url');
    const newSecret = randomBytes(32).toString('base64url');
    const rootKey = randomKey();
    try {
      const before = await startServer(store, { TESSERA_JWT_SECRET: oldSecret, TESSERA_ROOT_API_KEY: rootKey });
      const { token } = await signedInUser(before);
      await before.close();

      const rotated = await startServer(store, {
        TESSERA_JWT_SECRET: newSecret,
        TESSERA_JWT_PREVIOUS_SECRETS: oldSecret,
        TESSERA_ROOT_API_KEY: rootKey,
      });
      await expect(rotated.anon.withToken(token).sessions.current()).resolves.toHaveProperty('session');
      const fresh = await signedInUser(rotated);
      await rotated.close();

      const retired = await startServer(store, { TESSERA_JWT_SECRET: newSecret, TESSERA_ROOT_API_KEY: rootKey });
      expect((await failure(retired.anon.withToken(token).sessions.current())).code).toBe('unauthorized');
      await expect(retired.anon.withToken(fresh.token).sessions.current()).resolves.toHaveProperty('session');
      await retired.close();
    } finally {
      await store.drop();
    }
  });
});

describe('logs', () => {
  it('never print a token, key secret or password', async () => {
    const store = new TestStore('sqlite');
    const rootKey = randomKey();
    const api = await startApiProcess(
      {
        DATABASE_URL: await store.databaseUrl(),
        TESSERA_DATA_DIR: store.dir,
        TESSERA_JWT_SECRET: randomBytes(32).toString('base64url'),
        TESSERA_LOG_LEVEL: 'debug',
        TESSERA_ADMIN_EMAIL: 'boss@example.test',
        TESSERA_ADMIN_PASSWORD: 'the boss password',
      },
      rootKey,
    );
    try {
      const email = uniqueEmail();
      await api.admin.users.create({ email, password: PASSWORD });
      const { token } = await sessionOf(api.anon.auth.signIn({ email, password: PASSWORD }));
      await failure(api.anon.auth.signIn({ email, password: 'a wrong guess' }));
      const boss = await sessionOf(api.anon.auth.signIn({ email: 'boss@example.test', password: 'the boss password' }));
      const impersonation = await api.anon.withToken(boss.token).admin.createSessionToken({ email });
      const { secret } = await api.admin.admin.apiKeys.create({ name: 'logged?', roles: ['admin'] });
      await api.anon.withToken(token).auth.signOut();
      await failure(api.anon.withToken(`${token}x`).sessions.current());
      await failure(api.anon.withApiKey(`${secret}x`).users.list());
      const logs = api.logs();
      expect(logs.length).toBeGreaterThan(100);
      for (const value of [
        token,
        boss.token,
        impersonation.token,
        secret,
        rootKey,
        PASSWORD,
        'a wrong guess',
        'the boss password',
      ]) {
        expect(logs).not.toContain(value);
      }
    } finally {
      await api.stop();
      await store.drop();
    }
  });
});

describe('start', () => {
  // npm scripts cannot read JSON, so `npm start -w @tessera/api` spells the flags out: keep it in step
  // with apps/api/node-flags.json, which `npm start`, the bench, the soak and these tests read.
  it('runs the service with the Node flags of node-flags.json, from either npm start', () => {
    const api = JSON.parse(readFileSync(join(ROOT, 'apps/api/package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(NODE_FLAGS).toContain('--no-allocation-site-pretenuring');
    expect(api.scripts.start).toBe(['node', ...NODE_FLAGS, 'dist/main.js'].join(' '));
  });
});
