import { createHash } from 'node:crypto';
import { randomBytes } from 'node:crypto';
import {
  PASSWORD,
  sessionOf,
  TestStore,
  describeEachDatabase,
  failure,
  signedInUser,
  sleep,
  uniqueEmail,
  useServer,
} from './harness.js';
import { startApiProcess, type ApiProcess } from './process.js';
import { tokenIn, useSmtpSink, type ReceivedMail } from './smtp.js';

/** POST a JSON body to the running server; the answer's status and body. */
async function post(url: string, path: string, body: unknown, token?: string) {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? null : (JSON.parse(text) as Record<string, unknown>) };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Pairs of requests a timing comparison makes: each address once (5 an hour may ask per address). */
const PAIRS = 31;

/**
 * The median over pairs of (time for a known address / time for an unknown one), the two in each
 * pair made one after the other, which one first alternating from pair to pair.
 */
async function medianOfPairs(
  known: string[],
  forKnown: (email: string) => Promise<{ status: number }>,
  forUnknown: () => Promise<{ status: number }>,
): Promise<number> {
  const ratios: number[] = [];
  for (const [i, email] of known.entries()) {
    const first = i % 2 === 0;
    const a = first ? await quietly(() => forKnown(email)) : 0;
    const b = await quietly(forUnknown);
    const c = first ? a : await quietly(() => forKnown(email));
    ratios.push(c / b);
  }
  return median(ratios);
}

/**
 * Milliseconds one accepted request takes, as its caller sees it, made alone: the work an earlier
 * request left for after its answer (a hash, a mail) has had time to finish, so it does not weigh on
 * this one.
 */
async function quietly(run: () => Promise<{ status: number }>): Promise<number> {
  await sleep(150);
  const start = performance.now();
  const { status } = await run();
  const took = performance.now() - start;
  expect(status).toBe(202);
  return took;
}

describeEachDatabase('account security by mail', (db) => {
  const { sink, env } = useSmtpSink({ TESSERA_SIGN_UP: 'open' });
  const t = useServer(db, env);
  const url = () => t.server.url;
  const tokenRow = async (hash: string) =>
    (
      await t.server.db.query<{ used_at: unknown }[]>(
        db === 'postgres'
          ? 'SELECT used_at FROM user_tokens WHERE token_hash = $1'
          : 'SELECT used_at FROM user_tokens WHERE token_hash = ?',
        [hash],
      )
    )[0];
  const ageTokensOf = (userId: string) =>
    t.server.db.query(
      db === 'postgres'
        ? 'UPDATE user_tokens SET expires_at = 1 WHERE user_id = $1'
        : 'UPDATE user_tokens SET expires_at = 1 WHERE user_id = ?',
      [userId],
    );
  const resetMail = (email: string, after = 0): Promise<ReceivedMail> =>
    sink.next(email, (m) => m.text.includes('/reset-password#token=') && sink.mails.indexOf(m) >= after);

  describe('password reset', () => {
    it('mails a link that sets a new password once, ends every session, and says so by mail', async () => {
      const { email, token, user } = await signedInUser(t.server);
      const second = await sessionOf(t.server.anon.auth.signIn({ email, password: PASSWORD }));
      expect(await post(url(), '/v1/auth/password-reset', { email })).toEqual({
        status: 202,
        body: { accepted: true },
      });

      const mail = await resetMail(email);
      expect(mail.subject).toMatch(/Tessera/);
      expect(mail.from).toContain('tessera@example.test');
      expect(mail.text).toContain('http://tessera.example.test/reset-password#token=');
      const reset = tokenIn(mail);
      expect(reset).toMatch(/^[A-Za-z0-9_-]{43}$/);

      const confirmed = await post(url(), '/v1/auth/password-reset/confirm', {
        token: reset,
        newPassword: 'a new and rare passphrase',
      });
      expect(confirmed).toEqual({ status: 200, body: { revoked: 2 } });
      for (const old of [token, second.token]) {
        expect((await failure(t.server.anon.withToken(old).sessions.current())).code).toBe('token_revoked');
      }
      expect((await failure(t.server.anon.auth.signIn({ email, password: PASSWORD }))).code).toBe(
        'invalid_credentials',
      );
      await expect(t.server.anon.auth.signIn({ email, password: 'a new and rare passphrase' })).resolves.toHaveProperty(
        'token',
      );

      const again = await post(url(), '/v1/auth/password-reset/confirm', {
        token: reset,
        newPassword: 'yet another rare passphrase',
      });
      expect(again).toEqual({
        status: 400,
        body: expect.objectContaining({ code: 'invalid_token', details: { reason: 'used' } }),
      });
      // Stored as its hash only, and used now.
      const hash = createHash('sha256').update(reset).digest('hex');
      expect(await tokenRow(reset)).toBeUndefined();
      expect((await tokenRow(hash))?.used_at).not.toBeNull();
      await sink.next(email, (m) => /password was changed/i.test(m.subject));
      // The link proved the address.
      expect((await t.server.admin.users.get(user.userId)).emailVerifiedAt).toEqual(expect.any(String));
      const events = await t.server.admin.admin.auditEvents({ userId: user.userId });
      expect(events.items.map((e) => e.type)).toEqual(
        expect.arrayContaining(['password_reset.requested', 'password_reset.completed']),
      );
      expect(JSON.stringify(events.items)).not.toContain(reset);
    });

    it('refuses an unknown, an expired and a superseded token, each saying why', async () => {
      const { email, user } = await signedInUser(t.server);
      const unknown = await post(url(), '/v1/auth/password-reset/confirm', {
        token: 'x'.repeat(43),
        newPassword: 'rare passphrase one',
      });
      expect([unknown.status, unknown.body?.code, unknown.body?.details]).toEqual([
        400,
        'invalid_token',
        { reason: 'unknown' },
      ]);

      const before = sink.mails.length;
      await post(url(), '/v1/auth/password-reset', { email });
      const first = tokenIn(await resetMail(email, before));
      const middle = sink.mails.length;
      await post(url(), '/v1/auth/password-reset', { email });
      const second = tokenIn(await resetMail(email, middle));
      const superseded = await post(url(), '/v1/auth/password-reset/confirm', {
        token: first,
        newPassword: 'rare passphrase two',
      });
      expect([superseded.status, superseded.body?.details]).toEqual([400, { reason: 'superseded' }]);

      await ageTokensOf(user.userId);
      const expired = await post(url(), '/v1/auth/password-reset/confirm', {
        token: second,
        newPassword: 'rare passphrase three',
      });
      expect([expired.status, expired.body?.code, expired.body?.details]).toEqual([
        400,
        'invalid_token',
        { reason: 'expired' },
      ]);
      await expect(t.server.anon.auth.signIn({ email, password: PASSWORD })).resolves.toHaveProperty('token');
    });

    it('refuses a weak new password without using up the link', async () => {
      const { email } = await signedInUser(t.server);
      const before = sink.mails.length;
      await post(url(), '/v1/auth/password-reset', { email });
      const reset = tokenIn(await resetMail(email, before));
      for (const [newPassword, reason] of [
        ['short', 'too_short'],
        ['password123', 'common'],
        [email, 'same_as_email'],
        ['x'.repeat(257), 'too_long'],
      ] as const) {
        const weak = await post(url(), '/v1/auth/password-reset/confirm', { token: reset, newPassword });
        expect([weak.status, weak.body?.code, weak.body?.details]).toEqual([400, 'weak_password', { reason }]);
      }
      const good = await post(url(), '/v1/auth/password-reset/confirm', {
        token: reset,
        newPassword: 'finally a rare one',
      });
      expect(good.status).toBe(200);
    });

    it('answers an unknown address exactly like a known one, and mails it nothing', async () => {
      const { email } = await signedInUser(t.server);
      const nobody = uniqueEmail('nobody');
      const known = await post(url(), '/v1/auth/password-reset', { email });
      const unknown = await post(url(), '/v1/auth/password-reset', { email: nobody });
      expect(unknown).toEqual(known);
      // The known address's mail arrives; by then the unknown one's request has been handled too.
      await sink.next(email);
      await sleep(200);
      expect(sink.to(nobody)).toEqual([]);
    });
  });

  describe('email verification', () => {
    it('mails an admin-created user a link that verifies the address, once', async () => {
      const email = uniqueEmail();
      const user = await t.server.admin.users.create({ email, password: PASSWORD, sendVerificationEmail: true });
      expect(user.emailVerifiedAt).toBeNull();
      const mail = await sink.next(email, (m) => m.text.includes('/verify-email#token='));
      const verified = await post(url(), '/v1/auth/verify-email', { token: tokenIn(mail) });
      expect(verified.status).toBe(200);
      expect(verified.body?.user).toEqual(
        expect.objectContaining({ userId: user.userId, emailVerifiedAt: expect.any(String) }),
      );
      const again = await post(url(), '/v1/auth/verify-email', { token: tokenIn(mail) });
      expect([again.status, again.body?.details]).toEqual([400, { reason: 'used' }]);
      expect(
        (await t.server.admin.admin.auditEvents({ userId: user.userId, type: 'email.verified' })).items,
      ).toHaveLength(1);
    });

    it('sends nothing to an admin-created user without the flag, and marks imported addresses verified', async () => {
      const plain = await t.server.admin.users.create({ email: uniqueEmail(), password: PASSWORD });
      const imported = await t.server.admin.users.create({ email: uniqueEmail(), emailVerified: true });
      expect(imported.emailVerifiedAt).toEqual(expect.any(String));
      await sleep(300);
      expect(sink.to(plain.email!)).toEqual([]);
    });

    it('lets a signed-in user ask for a link to their own address', async () => {
      const { email, token, user } = await signedInUser(t.server);
      expect(await post(url(), '/v1/auth/verify-email/request', {}, token)).toEqual({
        status: 202,
        body: { accepted: true },
      });
      const mail = await sink.next(email, (m) => m.text.includes('/verify-email#token='));
      expect((await post(url(), '/v1/auth/verify-email', { token: tokenIn(mail) })).status).toBe(200);
      expect((await t.server.admin.users.get(user.userId)).emailVerifiedAt).toEqual(expect.any(String));
    });

    it('refuses a link for an address the user no longer has', async () => {
      const email = uniqueEmail();
      const user = await t.server.admin.users.create({ email, password: PASSWORD, sendVerificationEmail: true });
      const mail = await sink.next(email, (m) => m.text.includes('/verify-email#token='));
      await t.server.admin.users.update(user.userId, { email: uniqueEmail() });
      const stale = await post(url(), '/v1/auth/verify-email', { token: tokenIn(mail) });
      expect([stale.status, stale.body?.code, stale.body?.details]).toEqual([
        400,
        'invalid_token',
        { reason: 'superseded' },
      ]);
      expect((await t.server.admin.users.get(user.userId)).emailVerifiedAt).toBeNull();
    });
  });

  describe('email change', () => {
    it('needs the password, mails the new address a link and the old one a notice, and moves on the link', async () => {
      const { email, token, user } = await signedInUser(t.server);
      const newEmail = uniqueEmail('moved');
      const wrong = await post(url(), '/v1/auth/change-email', { password: 'not my password', newEmail }, token);
      expect([wrong.status, wrong.body?.code]).toEqual([403, 'invalid_credentials']);

      const asked = await post(url(), '/v1/auth/change-email', { password: PASSWORD, newEmail }, token);
      expect(asked).toEqual({ status: 202, body: { accepted: true } });
      const notice = await sink.next(email, (m) => m.text.includes(newEmail));
      expect(notice.text).not.toContain('#token=');
      const link = await sink.next(newEmail, (m) => m.text.includes('/verify-email#token='));
      // Nothing moves before the link is opened.
      expect((await t.server.admin.users.get(user.userId)).email).toBe(email);

      const moved = await post(url(), '/v1/auth/verify-email', { token: tokenIn(link) });
      expect(moved.body?.user).toEqual(
        expect.objectContaining({ email: newEmail, emailVerifiedAt: expect.any(String) }),
      );
      await expect(t.server.anon.auth.signIn({ email: newEmail, password: PASSWORD })).resolves.toHaveProperty('token');
      expect((await failure(t.server.anon.auth.signIn({ email, password: PASSWORD }))).code).toBe(
        'invalid_credentials',
      );
    });

    it('refuses an address another account has', async () => {
      const { token } = await signedInUser(t.server);
      const other = await signedInUser(t.server);
      const taken = await post(url(), '/v1/auth/change-email', { password: PASSWORD, newEmail: other.email }, token);
      expect([taken.status, taken.body?.code]).toEqual([409, 'duplicate_record']);
    });
  });

  describe('sign-up', () => {
    it('creates an unverified account and mails it a verification link', async () => {
      const email = uniqueEmail('new');
      expect(await post(url(), '/v1/auth/sign-up', { email, password: PASSWORD })).toEqual({
        status: 202,
        body: { accepted: true },
      });
      const mail = await sink.next(email, (m) => m.text.includes('/verify-email#token='));
      const { user } = await sessionOf(t.server.anon.auth.signIn({ email, password: PASSWORD }));
      expect(user.emailVerifiedAt).toBeNull();
      expect((await post(url(), '/v1/auth/verify-email', { token: tokenIn(mail) })).status).toBe(200);
      expect(
        (await t.server.admin.admin.auditEvents({ userId: user.userId, type: 'user.signed_up' })).items,
      ).toHaveLength(1);
    });

    it('answers an existing address the same, creates nothing, and tells its owner instead', async () => {
      const { email, user } = await signedInUser(t.server);
      const fresh = await post(url(), '/v1/auth/sign-up', { email: uniqueEmail('new'), password: PASSWORD });
      const existing = await post(url(), '/v1/auth/sign-up', { email, password: 'someone else entirely' });
      expect(existing).toEqual(fresh);
      const notice = await sink.next(email, (m) => /sign up/i.test(m.subject + m.text));
      expect(notice.text).not.toContain('#token=');
      // The owner's password is untouched.
      await expect(t.server.anon.auth.signIn({ email, password: PASSWORD })).resolves.toHaveProperty('token');
      expect((await t.server.admin.users.get(user.userId)).email).toBe(email);
    });

    it('refuses a weak password before anything else, for every address alike', async () => {
      const email = uniqueEmail('weak');
      const weak = await post(url(), '/v1/auth/sign-up', { email, password: 'password123' });
      expect([weak.status, weak.body?.code, weak.body?.details]).toEqual([400, 'weak_password', { reason: 'common' }]);
      const same = await post(url(), '/v1/auth/sign-up', { email, password: email });
      expect(same.body?.details).toEqual({ reason: 'same_as_email' });
      await sleep(200);
      expect((await failure(t.server.anon.auth.signIn({ email, password: 'password123' }))).code).toBe(
        'invalid_credentials',
      );
    });
  });

  describe('the password policy wherever a password is set', () => {
    it('refuses weak passwords on admin create and update with 400 weak_password', async () => {
      const email = uniqueEmail();
      const created = await failure(t.server.admin.users.create({ email, password: 'qwertyuiop' }));
      expect([created.status, created.code, created.details]).toEqual([400, 'weak_password', { reason: 'common' }]);
      const user = await t.server.admin.users.create({ email, password: PASSWORD });
      const updated = await failure(t.server.admin.users.update(user.userId, { password: email.toUpperCase() }));
      expect([updated.code, updated.details]).toEqual(['weak_password', { reason: 'same_as_email' }]);
      await expect(t.server.anon.auth.signIn({ email, password: PASSWORD })).resolves.toHaveProperty('token');
    });
  });
});

describeEachDatabase('sign-up when closed (the default)', (db) => {
  const t = useServer(db);

  it('answers 403 sign_up_closed and creates nothing', async () => {
    const email = uniqueEmail('closed');
    const closed = await post(t.server.url, '/v1/auth/sign-up', { email, password: PASSWORD });
    expect([closed.status, closed.body?.code]).toEqual([403, 'sign_up_closed']);
    expect((await failure(t.server.anon.auth.signIn({ email, password: PASSWORD }))).code).toBe('invalid_credentials');
  });
});

/**
 * Timing is measured against the server as its own process, as users run it: in the test's process
 * the work a request leaves for after its answer would run on the very event loop that is reading
 * the answer, and slow the measuring client rather than the server's answer.
 */
describeEachDatabase('no account enumeration by time (the server as its own process)', (db) => {
  const { env } = useSmtpSink({
    TESSERA_SIGN_UP: 'open',
    TESSERA_PUBLIC_IP_LIMIT: '1000000',
  });
  let store: TestStore;
  let api: ApiProcess;

  beforeAll(async () => {
    store = new TestStore(db);
    const rootKey = randomBytes(24).toString('base64url');
    api = await startApiProcess(
      {
        ...env,
        DATABASE_URL: await store.databaseUrl(),
        TESSERA_DATA_DIR: store.dir,
        TESSERA_JWT_SECRET: randomBytes(32).toString('base64url'),
      },
      rootKey,
    );
  });

  afterAll(async () => {
    await api?.stop();
    await store?.drop();
  });

  /** The emails of `n` new accounts, made one after another (a client may hash only so many at once). */
  const accounts = async (n: number) => {
    const emails: string[] = [];
    for (let i = 0; i < n; i++)
      emails.push((await api.admin.users.create({ email: uniqueEmail(), password: PASSWORD })).email!);
    return emails;
  };

  it('a reset request takes the same time for a known and an unknown address (median of pairs within 20 %)', async () => {
    const emails = await accounts(PAIRS);
    const ratio = await medianOfPairs(
      emails,
      (email) => post(api.url, '/v1/auth/password-reset', { email }),
      () => post(api.url, '/v1/auth/password-reset', { email: uniqueEmail('nobody') }),
    );
    expect(ratio).toBeGreaterThan(0.8);
    expect(ratio).toBeLessThan(1.25);
  });

  it('a sign-up takes the same time for a new and an existing address (median of pairs within 20 %)', async () => {
    const emails = await accounts(PAIRS);
    const password = 'a rare passphrase here';
    const ratio = await medianOfPairs(
      emails,
      (email) => post(api.url, '/v1/auth/sign-up', { email, password }),
      () => post(api.url, '/v1/auth/sign-up', { email: uniqueEmail('t'), password }),
    );
    expect(ratio).toBeGreaterThan(0.8);
    expect(ratio).toBeLessThan(1.25);
  });
});
