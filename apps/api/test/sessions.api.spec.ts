import { TesseraClient, type TesseraError } from '@tessera/client';
import { SessionEntity } from '../src/sessions/session.entity.js';
import { UserEntity } from '../src/users/user.entity.js';
import {
  PASSWORD,
  capture,
  describeEachDatabase,
  failure,
  signedInUser,
  sleep,
  uniqueEmail,
  useServer,
  sessionOf,
} from './harness.js';

describeEachDatabase('sessions', (db) => {
  const t = useServer(db);

  describe('sign-in', () => {
    it('answers 201 with a token, the session and the user', async () => {
      const email = uniqueEmail();
      const created = await t.server.admin.users.create({ email, password: PASSWORD });
      const result = await sessionOf(t.server.anon.auth.signIn({ email, password: PASSWORD }));
      expect(result.token.split('.')).toHaveLength(3);
      expect(result.user).toEqual(created);
      expect(result.user).not.toHaveProperty('passwordHash');
      expect(result.session).toMatchObject({ type: 'user', userId: created.userId, expiration: 1800, current: true });
      expect(Date.parse(result.session.expiresAt) - Date.parse(result.session.createdAt)).toBe(1800_000);
      expect(result.session.ip).toBe('127.0.0.1');
    });

    it('finds the account whatever the case of the email', async () => {
      const email = uniqueEmail('MixedCase');
      await t.server.admin.users.create({ email, password: PASSWORD });
      await expect(
        t.server.anon.auth.signIn({ email: email.toUpperCase(), password: PASSWORD }),
      ).resolves.toHaveProperty('token');
    });

    it('gives an unknown email, a wrong password and a passwordless user the identical 401', async () => {
      const email = uniqueEmail();
      await t.server.admin.users.create({ email, password: PASSWORD });
      const passwordless = uniqueEmail();
      await t.server.admin.users.create({ email: passwordless });

      const errors = await Promise.all([
        failure(t.server.anon.auth.signIn({ email, password: 'wrong password' })),
        failure(t.server.anon.auth.signIn({ email: uniqueEmail('nobody'), password: PASSWORD })),
        failure(t.server.anon.auth.signIn({ email: passwordless, password: PASSWORD })),
      ]);
      for (const error of errors) {
        expect(error.status).toBe(401);
        expect({ code: error.code, message: error.message, details: error.details }).toEqual({
          code: 'invalid_credentials',
          message: errors[0].message,
          details: undefined,
        });
      }
    });

    it('tells a disabled user so only after the right password', async () => {
      const email = uniqueEmail();
      const user = await t.server.admin.users.create({ email, password: PASSWORD });
      await t.server.db.getRepository(UserEntity).update({ id: user.userId }, { disabledAt: Date.now() });
      expect((await failure(t.server.anon.auth.signIn({ email, password: 'wrong password' }))).code).toBe(
        'invalid_credentials',
      );
      const error = await failure(t.server.anon.auth.signIn({ email, password: PASSWORD }));
      expect([error.status, error.code]).toEqual([403, 'user_disabled']);
    });

    it.each([0, -5, 1.5, 30 * 24 * 3600 + 1])('refuses expiration %p with 400 naming the field', async (expiration) => {
      const error = await failure(t.server.anon.auth.signIn({ email: uniqueEmail(), password: PASSWORD, expiration }));
      expect(error.status).toBe(400);
      expect(error.code).toBe('invalid_request');
      expect(error.details).toEqual({ fields: { expiration: expect.any(String) } });
    });

    it('stores no token and no secret from the token in the database', async () => {
      const { token, session } = await signedInUser(t.server);
      const secret = (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { sec: string }).sec;
      const rows = await t.server.db.getRepository(SessionEntity).find();
      const users = await t.server.db.getRepository(UserEntity).find();
      const dump = JSON.stringify([rows, users]);
      expect(dump).not.toContain(token);
      expect(dump).not.toContain(secret);
      expect(dump).not.toContain(PASSWORD);
      const row = rows.find((r) => r.id === session.id)!;
      expect(row.secretHash).toMatch(/^[0-9a-f]{64}$/);
    });
  });

  describe('sliding expiry', () => {
    it('keeps a used session alive past its first window and lets an idle one expire', async () => {
      // A 6 s window used every 2 s: 4 s of slack for a loaded machine, and still past the first window.
      const used = await signedInUser(t.server, { expiration: 6 });
      const idle = await signedInUser(t.server, { expiration: 6 });
      const firstExpiry = Date.parse(used.session.expiresAt);
      for (let i = 0; i < 4; i++) {
        await sleep(2000);
        await used.client.sessions.current();
      }
      // 8 s have passed: the used session outlived its first 6 s window, the idle one did not.
      expect(Date.now()).toBeGreaterThan(firstExpiry);
      const { session } = await used.client.sessions.current();
      expect(Date.parse(session.expiresAt)).toBeGreaterThan(firstExpiry);
      const error = await failure(idle.client.sessions.current());
      expect([error.status, error.code]).toEqual([401, 'token_expired']);
    }, 25_000);

    it('never slides past the absolute lifetime', async () => {
      const { session, client } = await signedInUser(t.server, { expiration: 1000 });
      // Bring the absolute cap close; TESSERA_SESSION_MAX_LIFETIME itself is covered in config.api.spec.
      const absolute = Date.now() + 2500;
      await t.server.db
        .getRepository(SessionEntity)
        .update({ id: session.id }, { absoluteExpiresAt: absolute, expiresAt: absolute });
      const { session: slid } = await client.sessions.current();
      expect(Date.parse(slid.expiresAt)).toBeLessThanOrEqual(absolute);
      await sleep(3000);
      const error = await failure(client.sessions.current());
      expect(error.code).toBe('token_expired');
    }, 10_000);

    it('writes the slide to the database so other processes see it', async () => {
      const { session, client } = await signedInUser(t.server, { expiration: 600 });
      const before = await t.server.db.getRepository(SessionEntity).findOneByOrFail({ id: session.id });
      // Within a minute of creation nothing moves by a tenth of the window (60 s): no write yet.
      await client.sessions.current();
      expect((await t.server.db.getRepository(SessionEntity).findOneByOrFail({ id: session.id })).expiresAt).toBe(
        before.expiresAt,
      );
      // Pretend the last slide was two minutes ago: the next request must write.
      await t.server.db
        .getRepository(SessionEntity)
        .update({ id: session.id }, { expiresAt: before.expiresAt - 120_000 });
      await client.sessions.current();
      const after = await t.server.db.getRepository(SessionEntity).findOneByOrFail({ id: session.id });
      expect(after.expiresAt).toBeGreaterThanOrEqual(before.expiresAt);
      expect(after.lastUsedAt).toBeGreaterThan(before.lastUsedAt - 1);
    });
  });

  describe('sign-out', () => {
    it('ends the current session only', async () => {
      const email = uniqueEmail();
      await t.server.admin.users.create({ email, password: PASSWORD });
      const a = t.server.anon.withToken(
        (await sessionOf(t.server.anon.auth.signIn({ email, password: PASSWORD }))).token,
      );
      const b = t.server.anon.withToken(
        (await sessionOf(t.server.anon.auth.signIn({ email, password: PASSWORD }))).token,
      );
      await expect(a.auth.signOut()).resolves.toEqual({ revoked: 1 });
      const error = await failure(a.sessions.current());
      expect([error.status, error.code]).toEqual([401, 'token_revoked']);
      await expect(b.sessions.current()).resolves.toHaveProperty('session');
    });

    it('with all: true ends every session of the user, never the API key, and no one else', async () => {
      const email = uniqueEmail();
      await t.server.admin.users.create({ email, password: PASSWORD });
      const tokens = await Promise.all(
        [1, 2, 3].map(async () => (await sessionOf(t.server.anon.auth.signIn({ email, password: PASSWORD }))).token),
      );
      const bystander = await signedInUser(t.server);
      await expect(t.server.anon.withToken(tokens[0]!).auth.signOut({ all: true })).resolves.toEqual({ revoked: 3 });
      for (const token of tokens) {
        expect((await failure(t.server.anon.withToken(token).sessions.current())).code).toBe('token_revoked');
      }
      await expect(bystander.client.sessions.current()).resolves.toHaveProperty('session');
      await expect(t.server.admin.users.list({ limit: 1 })).resolves.toHaveProperty('items');
    });

    it('refuses an API key with 403 not_a_person', async () => {
      const error = await failure(t.server.admin.auth.signOut({ all: true }));
      expect([error.status, error.code]).toEqual([403, 'not_a_person']);
    });

    it('needs credentials', async () => {
      const error = await failure(t.server.anon.auth.signOut());
      expect([error.status, error.code]).toEqual([401, 'unauthorized']);
    });
  });

  describe('the current session', () => {
    it('reads back exactly what sign-in created, every type and odd characters intact', async () => {
      // The session lookup reads its row straight from the driver (on PostgreSQL as one JSON array):
      // strings with quotes and backslashes, nulls, booleans and epoch-ms times must all come back as written.
      const email = uniqueEmail();
      const created = await t.server.admin.users.create({ email, password: PASSWORD });
      const agent = 'Tool/2.0 "quoted" \\back\\slash\\ [1,2] {"a":null}';
      const client = new TesseraClient({ baseUrl: t.server.url, headers: { 'user-agent': agent } });
      const signedIn = await sessionOf(client.auth.signIn({ email, password: PASSWORD, expiration: 600 }));
      const current = await client.withToken(signedIn.token).sessions.current();
      expect(current.user).toEqual(created);
      expect(current.session).toEqual(signedIn.session);
      expect(current.session).toMatchObject({
        userAgent: agent,
        expiration: 600,
        tenantId: null,
        impersonatorId: null,
        current: true,
      });
    });
    it('reads the session on every request, and refuses it right after a change by hand', async () => {
      const sessions = t.server.db.getRepository(SessionEntity);
      const revoked = await signedInUser(t.server, { expiration: 600 });
      const expired = await signedInUser(t.server, { expiration: 600 });
      const disabled = await signedInUser(t.server, { expiration: 600 });
      const all = [revoked, expired, disabled];
      for (const { client } of all) await client.sessions.current();
      for (const { client } of all) {
        const again = await capture(t.server.db, () => client.sessions.current());
        expect(again.some((s) => /FROM sessions s/.test(s.sql))).toBe(true);
      }
      await sessions.update({ id: revoked.session.id }, { revokedAt: Date.now() });
      expect((await failure(revoked.client.sessions.current())).code).toBe('token_revoked');
      await sessions.update({ id: expired.session.id }, { expiresAt: Date.now() - 1000 });
      expect((await failure(expired.client.sessions.current())).code).toBe('token_expired');
      await t.server.db.getRepository(UserEntity).update({ id: disabled.user.userId }, { disabledAt: Date.now() });
      expect((await failure(disabled.client.sessions.current())).code).toBe('token_revoked');
      // Still refused when asked again.
      expect((await failure(revoked.client.sessions.current())).code).toBe('token_revoked');
    });
  });

  describe('my sessions', () => {
    it('lists my live sessions with exactly one current, and none of anyone else', async () => {
      const email = uniqueEmail();
      await t.server.admin.users.create({ email, password: PASSWORD });
      const first = await sessionOf(t.server.anon.auth.signIn({ email, password: PASSWORD }));
      const second = await sessionOf(
        new TesseraClient({ baseUrl: t.server.url, headers: { 'user-agent': 'Phone/1.0' } }).auth.signIn({
          email,
          password: PASSWORD,
        }),
      );
      const ended = await sessionOf(t.server.anon.auth.signIn({ email, password: PASSWORD }));
      await t.server.anon.withToken(ended.token).auth.signOut();
      await signedInUser(t.server);

      const list = await t.server.anon.withToken(first.token).sessions.list();
      expect(list.items.map((s) => s.id).sort()).toEqual([first.session.id, second.session.id].sort());
      expect(list.items.filter((s) => s.current).map((s) => s.id)).toEqual([first.session.id]);
      expect(list.items.find((s) => s.id === second.session.id)).toMatchObject({
        userAgent: 'Phone/1.0',
        ip: '127.0.0.1',
      });
      expect(list.next).toBeNull();
    });

    it('pages through sessions newest first with no duplicates or gaps', async () => {
      const email = uniqueEmail();
      await t.server.admin.users.create({ email, password: PASSWORD });
      const ids: string[] = [];
      let token = '';
      for (let i = 0; i < 5; i++) {
        const s = await sessionOf(t.server.anon.auth.signIn({ email, password: PASSWORD }));
        ids.push(s.session.id);
        token = s.token;
      }
      const me = t.server.anon.withToken(token);
      const seen: string[] = [];
      let after: string | undefined;
      do {
        const page = await me.sessions.list({ limit: 2, after });
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map((s) => s.id));
        after = page.next ?? undefined;
      } while (after);
      expect(seen).toHaveLength(5);
      expect(new Set(seen)).toEqual(new Set(ids));
      expect((await failure(me.sessions.list({ after: 'not-a-cursor' }))).code).toBe('invalid_request');
      expect((await failure(me.sessions.list({ limit: 101 }))).code).toBe('invalid_request');
    });

    it('revokes another of my sessions; another user’s session id is 404', async () => {
      const email = uniqueEmail();
      await t.server.admin.users.create({ email, password: PASSWORD });
      const mine = await sessionOf(t.server.anon.auth.signIn({ email, password: PASSWORD }));
      const other = await sessionOf(t.server.anon.auth.signIn({ email, password: PASSWORD }));
      const stranger = await signedInUser(t.server);
      const me = t.server.anon.withToken(mine.token);

      await expect(me.sessions.revoke(other.session.id)).resolves.toBeUndefined();
      expect((await failure(t.server.anon.withToken(other.token).sessions.current())).code).toBe('token_revoked');

      const error = await failure(me.sessions.revoke(stranger.session.id));
      expect(error.status).toBe(404);
      expect(error.code).toBe('not_found');
      expect(error.details).toEqual({ type: 'session', id: stranger.session.id });
      await expect(stranger.client.sessions.current()).resolves.toHaveProperty('session');
      expect((await failure(me.sessions.revoke('not-a-uuid'))).status).toBe(400);
    });

    it('is for people: an API key gets not_a_person', async () => {
      expect((await failure(t.server.admin.sessions.list())).code).toBe('not_a_person');
      expect((await failure(t.server.admin.sessions.current())).code).toBe('not_a_person');
    });
  });

  describe('change-password', () => {
    it('changes the password and ends my other sessions', async () => {
      const email = uniqueEmail();
      await t.server.admin.users.create({ email, password: PASSWORD });
      const here = await sessionOf(t.server.anon.auth.signIn({ email, password: PASSWORD }));
      const elsewhere = await sessionOf(t.server.anon.auth.signIn({ email, password: PASSWORD }));
      const me = t.server.anon.withToken(here.token);

      await expect(
        me.auth.changePassword({ currentPassword: PASSWORD, newPassword: 'a brand new passphrase' }),
      ).resolves.toEqual({ revoked: 1 });
      await expect(me.sessions.current()).resolves.toHaveProperty('session');
      expect((await failure(t.server.anon.withToken(elsewhere.token).sessions.current())).code).toBe('token_revoked');
      expect((await failure(t.server.anon.auth.signIn({ email, password: PASSWORD }))).code).toBe(
        'invalid_credentials',
      );
      await expect(t.server.anon.auth.signIn({ email, password: 'a brand new passphrase' })).resolves.toHaveProperty(
        'token',
      );
    });

    it('can keep the other sessions', async () => {
      const email = uniqueEmail();
      await t.server.admin.users.create({ email, password: PASSWORD });
      const here = await sessionOf(t.server.anon.auth.signIn({ email, password: PASSWORD }));
      const elsewhere = await sessionOf(t.server.anon.auth.signIn({ email, password: PASSWORD }));
      await expect(
        t.server.anon.withToken(here.token).auth.changePassword({
          currentPassword: PASSWORD,
          newPassword: 'another passphrase',
          revokeOtherSessions: false,
        }),
      ).resolves.toEqual({ revoked: 0 });
      await expect(t.server.anon.withToken(elsewhere.token).sessions.current()).resolves.toHaveProperty('session');
    });

    it('answers a wrong current password with 403 invalid_credentials and changes nothing', async () => {
      const { client, email } = await signedInUser(t.server);
      const error = await failure(
        client.auth.changePassword({ currentPassword: 'not my password', newPassword: 'whatever passphrase' }),
      );
      expect([error.status, error.code]).toEqual([403, 'invalid_credentials']);
      await expect(t.server.anon.auth.signIn({ email, password: PASSWORD })).resolves.toHaveProperty('token');
    });

    it('refuses a too-short new password with 400 weak_password, and keeps the old one', async () => {
      const { client, email } = await signedInUser(t.server);
      const error = await failure(client.auth.changePassword({ currentPassword: PASSWORD, newPassword: 'short' }));
      expect([error.status, error.code, error.details]).toEqual([400, 'weak_password', { reason: 'too_short' }]);
      await expect(t.server.anon.auth.signIn({ email, password: PASSWORD })).resolves.toHaveProperty('token');
    });
  });

  describe('users (bootstrap part of the directory)', () => {
    it('creates users with 201, refuses duplicates with 409, and never shows a hash', async () => {
      const email = uniqueEmail();
      const user = await t.server.admin.users.create({ userId: `u-${Date.now()}`, email, password: PASSWORD });
      expect(user).toEqual({
        userId: expect.stringMatching(/^u-/),
        email,
        disabled: false,
        superAdmin: false,
        emailVerifiedAt: null,
        mfa: false,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      const byEmail = await failure(t.server.admin.users.create({ email: email.toUpperCase() }));
      expect([byEmail.status, byEmail.code]).toEqual([409, 'duplicate_record']);
      const byId = await failure(t.server.admin.users.create({ userId: user.userId, email: uniqueEmail() }));
      expect([byId.status, byId.code]).toEqual([409, 'duplicate_record']);
      expect(await t.server.db.getRepository(UserEntity).countBy({ id: user.userId })).toBe(1);
    });

    it('refuses bad ids and emails with 400 naming each field, and a weak password with 400 weak_password', async () => {
      const error = await failure(
        t.server.admin.users.create({ userId: 'has space', email: 'nope', password: 'long enough, and rare' }),
      );
      expect(error.status).toBe(400);
      expect(Object.keys(error.details!.fields as object).sort()).toEqual(['email', 'userId']);
      const email = uniqueEmail();
      const weak = await failure(t.server.admin.users.create({ email, password: 'short' }));
      expect([weak.status, weak.code, weak.details]).toEqual([400, 'weak_password', { reason: 'too_short' }]);
      expect(await t.server.db.getRepository(UserEntity).countBy({ email })).toBe(0);
    });

    it('is for admins only', async () => {
      const { client } = await signedInUser(t.server);
      expect((await failure(client.users.list())).code).toBe('forbidden');
      expect((await failure(t.server.anon.users.list())).code).toBe('unauthorized');
      expect(error(await failure(t.server.anon.withApiKey('tsk_unknown').users.list()))).toEqual([401, 'unauthorized']);
    });
  });
});

function error(e: TesseraError) {
  return [e.status, e.code];
}
