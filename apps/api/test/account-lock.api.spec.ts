import { randomBytes } from 'node:crypto';
import type { TesseraClient } from '@tessera/client';
import { AuditEventEntity } from '../src/audit/audit-event.entity.js';
import { MemoryCounterStore } from '../src/rate-limit/counter-store.js';
import { COUNTER_STORE } from '../src/rate-limit/rate-limit.service.js';
import {
  PASSWORD,
  TestStore,
  describeEachDatabase,
  failure,
  randomKey,
  signedInUser,
  uniqueEmail,
  useServer,
  describeWithPostgresAndRedis,
} from './harness.js';
import { sharedProcessEnv, startApiProcess, type ApiProcess } from './process.js';

const WRONG = 'not the password';

/** Fires `n` wrong-password sign-ins at once; answers `status code` of each. */
async function wrongAtOnce(clients: TesseraClient[], email: string, n: number): Promise<string[]> {
  const errors = await Promise.all(
    Array.from({ length: n }, (_, i) => failure(clients[i % clients.length]!.auth.signIn({ email, password: WRONG }))),
  );
  for (const e of errors) if (e.status === 429) expect(e.retryAfter).toBeGreaterThanOrEqual(1);
  return errors.map((e) => `${e.status} ${e.code}`);
}

const count = (answers: string[], answer: string) => answers.filter((a) => a === answer).length;

const changePassword = (client: TesseraClient, currentPassword: string) =>
  failure(client.auth.changePassword({ currentPassword, newPassword: 'a new passphrase' }));

/** The user's `sign_in.failed` events for invalid credentials: one per password checked and found wrong. */
async function passwordsFoundWrong(admin: TesseraClient, userId: string): Promise<number> {
  const page = await admin.admin.auditEvents({ userId, type: 'sign_in.failed', limit: 100 });
  return page.items.filter((e) => e.details?.reason === 'invalid_credentials').length;
}

describeEachDatabase('account lock', (db) => {
  const t = useServer(db, { TESSERA_SIGN_IN_ACCOUNT_FAILURES: '3' });

  describe('sign-in', () => {
    it('checks no more passwords than the limit when 30 wrong ones arrive at once', async () => {
      const email = uniqueEmail();
      const user = await t.server.admin.users.create({ email, password: PASSWORD });
      const answers = await wrongAtOnce([t.server.anon], email, 30);
      expect([count(answers, '401 invalid_credentials'), count(answers, '429 too_many_requests')]).toEqual([3, 27]);
      expect(await passwordsFoundWrong(t.server.admin, user.userId)).toBe(3);
      expect((await failure(t.server.anon.auth.signIn({ email, password: PASSWORD }))).code).toBe('too_many_requests');
    });

    it('does not count a right password for a disabled account as a failure', async () => {
      const email = uniqueEmail();
      const user = await t.server.admin.users.create({ email, password: PASSWORD });
      await t.server.admin.admin.users.disable(user.userId);
      for (let i = 0; i < 4; i++) {
        expect((await failure(t.server.anon.auth.signIn({ email, password: PASSWORD }))).code).toBe('user_disabled');
      }
      await t.server.admin.admin.users.enable(user.userId);
      for (let i = 0; i < 2; i++) await failure(t.server.anon.auth.signIn({ email, password: WRONG }));
      await expect(t.server.anon.auth.signIn({ email, password: PASSWORD })).resolves.toHaveProperty('token');
    });
  });

  describe('change-password', () => {
    it('counts a wrong current password against the account, audits it, and answers 429 when locked', async () => {
      const { user, email, client } = await signedInUser(t.server);
      for (let i = 0; i < 3; i++) {
        const wrong = await changePassword(client, WRONG);
        expect([wrong.status, wrong.code]).toEqual([403, 'invalid_credentials']);
      }
      const locked = await changePassword(client, PASSWORD);
      expect([locked.status, locked.code]).toEqual([429, 'too_many_requests']);
      expect(locked.retryAfter).toBeGreaterThanOrEqual(29);
      // One account, one lock: sign-in is locked too.
      expect((await failure(t.server.anon.auth.signIn({ email, password: PASSWORD }))).code).toBe('too_many_requests');
      const events = await t.server.admin.admin.auditEvents({ userId: user.userId, type: 'sign_in.failed' });
      expect(events.items).toHaveLength(3);
      const details = { reason: 'invalid_credentials', via: 'change_password' };
      for (const e of events.items) expect(e).toMatchObject({ actorUserId: user.userId, details });
    });

    it('lets 30 wrong current passwords at once check no more than the limit', async () => {
      const { user, client } = await signedInUser(t.server);
      const errors = await Promise.all(Array.from({ length: 30 }, () => changePassword(client, WRONG)));
      const answers = errors.map((e) => `${e.status} ${e.code}`);
      expect([count(answers, '403 invalid_credentials'), count(answers, '429 too_many_requests')]).toEqual([3, 27]);
      expect(await passwordsFoundWrong(t.server.admin, user.userId)).toBe(3);
    });
  });

  describe('sign_in.failed', () => {
    it('keeps an email that matches no user only as a keyed hash, never as typed', async () => {
      const typed = `My Secret Passphrase ${randomBytes(6).toString('hex')}`;
      const since = new Date().toISOString();
      for (const email of [typed, `  ${typed.toUpperCase()} `, 'someone.else@example.test']) {
        await failure(t.server.anon.auth.signIn({ email, password: WRONG }));
      }
      const page = await t.server.admin.admin.auditEvents({ type: 'sign_in.failed', from: since, limit: 100 });
      const mine = page.items.filter((e) => e.userId === null).reverse();
      expect(mine).toHaveLength(3);
      const hashes = mine.map((e) => e.details?.emailHash);
      expect(hashes[0]).toMatch(/^[0-9a-f]{32}$/);
      // The same address however typed hashes alike; another address differently.
      expect([hashes[1] === hashes[0], hashes[2] === hashes[0]]).toEqual([true, false]);
      for (const e of mine) expect(e.details).toEqual({ reason: 'invalid_credentials', emailHash: expect.any(String) });
      const dump = JSON.stringify(await t.server.db.getRepository(AuditEventEntity).find());
      expect(dump.toLowerCase()).not.toContain(typed.toLowerCase());
    });
  });
});

describeEachDatabase('rate-limit store limits', (db) => {
  const t = useServer(db, {
    TESSERA_SIGN_IN_ACCOUNT_FAILURES: '3',
    TESSERA_RATE_LIMIT_MEMORY_ENTRIES: '20',
    TESSERA_TRUST_PROXY: '1',
  });

  it('keeps an account locked when distinct addresses fill the store past its size, and stays bounded', async () => {
    const email = uniqueEmail();
    await t.server.admin.users.create({ email, password: PASSWORD });
    for (let i = 0; i < 3; i++) await failure(t.server.anon.auth.signIn({ email, password: WRONG }));
    const statuses = [];
    for (let i = 0; i < 40; i++) {
      const res = await fetch(`${t.server.url}/v1/self-service/exchange`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': `198.51.100.${i + 1}` },
        body: JSON.stringify({ code: 'made-up' }),
      });
      statuses.push(res.status);
      if (res.status === 429) expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    const locked = await failure(t.server.anon.auth.signIn({ email, password: PASSWORD }));
    expect([locked.status, locked.code]).toEqual([429, 'too_many_requests']);
    // Two entries were taken by the locked account and 127.0.0.1: 18 new addresses fit, the rest wait.
    expect(statuses).toEqual([...Array<number>(18).fill(401), ...Array<number>(22).fill(429)]);
    const store = t.server.app.get<unknown>(COUNTER_STORE);
    if (!(store instanceof MemoryCounterStore)) throw new Error('expected the per-process store');
    expect(store.size).toBe(20);
  });
});

describeEachDatabase('password hashing queue', (db) => {
  const t = useServer(db, { TESSERA_SIGN_IN_ACCOUNT_FAILURES: '1000', TESSERA_PASSWORD_QUEUE_PER_CLIENT: '2' });

  it('answers 429 past the per-client queue instead of queueing every hash of one flood', async () => {
    const { user, client } = await signedInUser(t.server);
    const errors = await Promise.all(Array.from({ length: 20 }, () => changePassword(client, WRONG)));
    const answers = errors.map((e) => `${e.status} ${e.code} ${e.retryAfter ?? ''}`);
    expect(answers.filter((a) => a !== '403 invalid_credentials ' && a !== '429 too_many_requests 1')).toEqual([]);
    const checked = count(answers, '403 invalid_credentials ');
    expect(checked).toBeGreaterThanOrEqual(2);
    expect(checked).toBeLessThan(20);
    // Refused before any hashing: not a failure of the account either.
    expect(await passwordsFoundWrong(t.server.admin, user.userId)).toBe(checked);
  });
});

describeWithPostgresAndRedis('account lock across processes sharing Redis', ({ redisUrl }) => {
  const store = new TestStore('postgres');
  const rootKey = randomKey();
  let a: ApiProcess;
  let b: ApiProcess;

  beforeAll(async () => {
    const env = sharedProcessEnv(await store.databaseUrl(), redisUrl, store.dir);
    a = await startApiProcess(env, rootKey);
    b = await startApiProcess(env, rootKey);
  }, 60_000);

  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await store.drop();
  });

  it('checks no more passwords than the limit when 30 wrong ones arrive at once on two processes', async () => {
    const email = uniqueEmail();
    const user = await a.admin.users.create({ email, password: PASSWORD });
    const answers = await wrongAtOnce([a.anon, b.anon], email, 30);
    expect([count(answers, '401 invalid_credentials'), count(answers, '429 too_many_requests')]).toEqual([3, 27]);
    expect(await passwordsFoundWrong(a.admin, user.userId)).toBe(3);
    expect((await failure(b.anon.auth.signIn({ email, password: PASSWORD }))).code).toBe('too_many_requests');
  });

  it("clears the shared count on a right password; a disabled account's right password is no failure", async () => {
    const email = uniqueEmail();
    const user = await a.admin.users.create({ email, password: PASSWORD });
    for (let round = 0; round < 2; round++) {
      await failure(a.anon.auth.signIn({ email, password: WRONG }));
      await failure(b.anon.auth.signIn({ email, password: WRONG }));
      await expect(a.anon.auth.signIn({ email, password: PASSWORD })).resolves.toHaveProperty('token');
    }
    await a.admin.admin.users.disable(user.userId);
    for (const server of [a, b, a]) {
      expect((await failure(server.anon.auth.signIn({ email, password: PASSWORD }))).code).toBe('user_disabled');
    }
    await a.admin.admin.users.enable(user.userId);
    await failure(b.anon.auth.signIn({ email, password: WRONG }));
    await expect(b.anon.auth.signIn({ email, password: PASSWORD })).resolves.toHaveProperty('token');
  });
});
