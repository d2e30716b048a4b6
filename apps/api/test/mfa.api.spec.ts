import { Secret, TOTP } from 'otpauth';
import type { AuditEvent, Session, User } from '@tessera/dto';
import { PASSWORD, describeEachDatabase, sleep, uniqueEmail, useServer, type TestServer } from './harness.js';

const PERIOD_MS = 30_000;

interface Answer<T> {
  status: number;
  body: T;
}
interface ErrorAnswer {
  code: string;
  message: string;
}
interface SignedIn {
  token: string;
  session: Session;
  user: User;
}
interface Challenge {
  mfaRequired: true;
  challenge: string;
  expiresAt: string;
}
interface Enrolment {
  secret: string;
  uri: string;
  qrSvg: string;
}

/** One request with fetch (the typed client does not know these routes yet). */
async function api<T = ErrorAnswer>(
  server: TestServer,
  method: string,
  path: string,
  options: { token?: string; apiKey?: string; body?: unknown } = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = {};
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (options.apiKey !== undefined) headers.authorization = `ApiKey ${options.apiKey}`;
  const response = await fetch(`${server.url}/${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return { status: response.status, body: (text === '' ? undefined : JSON.parse(text)) as T };
}

/** Waits, when needed, until `ms` at least of the current 30-second step remain: codes are computed per step. */
async function roomInStep(ms = 10_000): Promise<void> {
  const left = PERIOD_MS - (Date.now() % PERIOD_MS);
  if (left < ms) await sleep(left + 50);
}

/**
 * An authenticator app for `secret`, its steps counted from the step it was set up in: `code(-1)`,
 * `code(0)`, `code(1)` are all accepted then (±1 step), each once and in that order at most.
 */
function authenticator(secret: string) {
  const base = Math.floor(Date.now() / PERIOD_MS);
  const totp = new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 });
  const code = (offset: number) => totp.generate({ timestamp: (base + offset) * PERIOD_MS });
  const valid = new Set([-2, -1, 0, 1, 2, 3].map(code));
  // A code no step near now has.
  let n = 123456;
  while (valid.has(String(n))) n += 1;
  return { code, wrong: String(n) };
}

describeEachDatabase('second factor (TOTP)', (db) => {
  const t = useServer(db);

  const admin = () => t.server.rootKey;
  const signIn = (email: string, extra: Record<string, unknown> = {}) =>
    api<SignedIn & Challenge>(t.server, 'POST', 'v1/auth/sign-in', { body: { email, password: PASSWORD, ...extra } });
  const secondStep = (body: Record<string, unknown>) =>
    api<SignedIn>(t.server, 'POST', 'v1/auth/sign-in/mfa', { body });
  const status = (token: string) =>
    api<{ totp: boolean; recoveryCodesLeft: number }>(t.server, 'GET', 'v1/auth/mfa', { token });
  const events = async (userId: string, type: AuditEvent['type']) =>
    (await t.server.admin.admin.auditEvents({ userId, type, limit: 100 })).items;

  /** A user with a password, signed in once (before any second factor). */
  async function person() {
    const email = uniqueEmail('mfa');
    const user = await t.server.admin.users.create({ email, password: PASSWORD });
    const first = await signIn(email);
    expect(first.status).toBe(201);
    return { email, userId: user.userId, token: first.body.token };
  }

  /** Enrols and confirms TOTP through `token`; the first code used is `code(-1)`. */
  async function enrol(token: string) {
    await roomInStep();
    const begun = await api<Enrolment>(t.server, 'POST', 'v1/auth/mfa/totp', { token, body: { password: PASSWORD } });
    expect(begun.status).toBe(200);
    const app = authenticator(begun.body.secret);
    const confirmed = await api<{ recoveryCodes: string[] }>(t.server, 'POST', 'v1/auth/mfa/totp/confirm', {
      token,
      body: { code: app.code(-1) },
    });
    expect(confirmed.status).toBe(200);
    return { ...app, secret: begun.body.secret, enrolment: begun.body, recoveryCodes: confirmed.body.recoveryCodes };
  }

  /** A person with TOTP confirmed: codes 0 and 1 of their authenticator are still unused. */
  async function enrolled() {
    const p = await person();
    return { ...p, ...(await enrol(p.token)) };
  }

  it('enrol, confirm, then sign-in answers a challenge (no session) that a code completes', async () => {
    const p = await person();
    expect((await status(p.token)).body).toEqual({ totp: false, recoveryCodesLeft: 0 });

    await roomInStep();
    const begun = await api<Enrolment>(t.server, 'POST', 'v1/auth/mfa/totp', {
      token: p.token,
      body: { password: PASSWORD },
    });
    expect(begun.status).toBe(200);
    expect(begun.body.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(begun.body.uri).toMatch(/^otpauth:\/\/totp\//);
    expect(begun.body.uri).toContain(`secret=${begun.body.secret}`);
    expect(begun.body.uri).toContain('period=30');
    expect(begun.body.qrSvg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    // Pending: sign-in does not ask for a code yet.
    expect((await status(p.token)).body).toEqual({ totp: false, recoveryCodesLeft: 0 });
    expect((await signIn(p.email)).status).toBe(201);

    // A new enrolment replaces the pending one: the first secret's codes no longer confirm.
    const again = await api<Enrolment>(t.server, 'POST', 'v1/auth/mfa/totp', {
      token: p.token,
      body: { password: PASSWORD },
    });
    expect(again.body.secret).not.toBe(begun.body.secret);
    const stale = authenticator(begun.body.secret);
    const refused = await api(t.server, 'POST', 'v1/auth/mfa/totp/confirm', {
      token: p.token,
      body: { code: stale.code(0) },
    });
    expect([refused.status, refused.body.code]).toEqual([401, 'invalid_otp']);

    const app = authenticator(again.body.secret);
    const confirmed = await api<{ recoveryCodes: string[] }>(t.server, 'POST', 'v1/auth/mfa/totp/confirm', {
      token: p.token,
      body: { code: app.code(-1) },
    });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.recoveryCodes).toHaveLength(10);
    expect(new Set(confirmed.body.recoveryCodes).size).toBe(10);
    for (const code of confirmed.body.recoveryCodes) expect(code.replace(/-/g, '')).toHaveLength(25);
    expect((await status(p.token)).body).toEqual({ totp: true, recoveryCodesLeft: 10 });
    expect((await t.server.admin.users.get(p.userId)).mfa).toBe(true);
    expect(await events(p.userId, 'mfa.enabled')).toHaveLength(1);
    // The person is told, by a mail written in the same transaction.
    const mails: { template: string }[] = await t.server.db.query(
      `SELECT template FROM mail_outbox WHERE recipient = '${p.email}'`,
    );
    expect(mails.map((m) => m.template)).toEqual(['mfa_changed']);
    // A second enrolment while one is on: disable first.
    const twice = await api(t.server, 'POST', 'v1/auth/mfa/totp', { token: p.token, body: { password: PASSWORD } });
    expect([twice.status, twice.body.code]).toEqual([409, 'duplicate_record']);

    const before = Date.now();
    const first = await signIn(p.email, { expiration: 600 });
    expect(first.status).toBe(200);
    expect(Object.keys(first.body).sort()).toEqual(['challenge', 'expiresAt', 'mfaRequired']);
    expect(first.body.mfaRequired).toBe(true);
    const expiresAt = Date.parse(first.body.expiresAt);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 5 * 60_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 5 * 60_000);

    await sleep(20);
    const completedAt = Date.now();
    const second = await secondStep({ challenge: first.body.challenge, code: app.code(0) });
    expect(second.status).toBe(201);
    expect(second.body.user).toMatchObject({ userId: p.userId, mfa: true });
    // The session asked for at the first step, begun when the challenge was given.
    expect(second.body.session.expiration).toBe(600);
    expect(Date.parse(second.body.session.createdAt)).toBeLessThan(completedAt);
    const current = await api<{ user: User }>(t.server, 'GET', 'v1/sessions/current', { token: second.body.token });
    expect([current.status, current.body.user.mfa]).toEqual([200, true]);
    const succeeded = await events(p.userId, 'sign_in.succeeded');
    expect(succeeded.find((e) => e.sessionId === second.body.session.id)?.details).toEqual({ mfa: 'totp' });

    // A challenge is single use.
    const reused = await secondStep({ challenge: first.body.challenge, code: app.code(1) });
    expect([reused.status, reused.body as unknown as ErrorAnswer]).toMatchObject([401, { code: 'unauthorized' }]);
    const unknown = await secondStep({ challenge: 'not-a-challenge', code: app.code(1) });
    expect([unknown.status, (unknown.body as unknown as ErrorAnswer).code]).toEqual([401, 'unauthorized']);
  });

  it('signs in in one step with `otp`; a code works once, the next step’s code works', async () => {
    const p = await enrolled();
    const wrong = await signIn(p.email, { otp: p.wrong });
    expect([wrong.status, (wrong.body as unknown as ErrorAnswer).code]).toEqual([401, 'invalid_otp']);
    const badPassword = await api(t.server, 'POST', 'v1/auth/sign-in', {
      body: { email: p.email, password: 'not the password', otp: p.code(0) },
    });
    expect([badPassword.status, badPassword.body.code]).toEqual([401, 'invalid_credentials']);

    const once = await signIn(p.email, { otp: p.code(0) });
    expect(once.status).toBe(201);
    expect(once.body.token).toEqual(expect.any(String));
    const replayed = await signIn(p.email, { otp: p.code(0) });
    expect([replayed.status, (replayed.body as unknown as ErrorAnswer).code]).toEqual([401, 'invalid_otp']);
    // Also through the challenge: the step is used.
    const challenge = await signIn(p.email);
    const replayedToo = await secondStep({ challenge: challenge.body.challenge, code: p.code(0) });
    expect([replayedToo.status, (replayedToo.body as unknown as ErrorAnswer).code]).toEqual([401, 'invalid_otp']);
    const next = await secondStep({ challenge: challenge.body.challenge, code: p.code(1) });
    expect(next.status).toBe(201);

    const failed = await events(p.userId, 'mfa.failed');
    expect(failed.map((e) => e.details)).toEqual([
      { via: 'sign_in_mfa', method: 'totp' },
      { via: 'sign_in', method: 'totp' },
      { via: 'sign_in', method: 'totp' },
    ]);
  });

  it('recovery codes work once each, in any case and without dashes; recoveryCodesLeft counts down', async () => {
    const p = await enrolled();
    const [first, second] = p.recoveryCodes as [string, string];
    const challenge = async () => (await signIn(p.email)).body.challenge;

    const used = await secondStep({ challenge: await challenge(), recoveryCode: first });
    expect(used.status).toBe(201);
    expect((await status(used.body.token)).body).toEqual({ totp: true, recoveryCodesLeft: 9 });
    const again = await secondStep({ challenge: await challenge(), recoveryCode: first });
    expect([again.status, (again.body as unknown as ErrorAnswer).code]).toEqual([401, 'invalid_otp']);
    const typed = second.replace(/-/g, '').toUpperCase();
    expect((await secondStep({ challenge: await challenge(), recoveryCode: typed })).status).toBe(201);
    expect((await status(used.body.token)).body).toEqual({ totp: true, recoveryCodesLeft: 8 });

    const usedEvents = await events(p.userId, 'recovery_code.used');
    expect(usedEvents.map((e) => e.details)).toEqual([{ recoveryCodesLeft: 8 }, { recoveryCodesLeft: 9 }]);
    const succeeded = await events(p.userId, 'sign_in.succeeded');
    expect(succeeded[0]?.details).toEqual({ mfa: 'recovery_code' });
    // Neither a code nor the secret ever reaches the audit log.
    const log = JSON.stringify((await t.server.admin.admin.auditEvents({ userId: p.userId, limit: 100 })).items);
    for (const secret of [p.secret, ...p.recoveryCodes]) expect(log).not.toContain(secret);

    // Exactly one of code and recoveryCode.
    const both = await secondStep({ challenge: await challenge(), code: p.code(0), recoveryCode: first });
    expect([both.status, (both.body as unknown as ErrorAnswer).code]).toEqual([400, 'invalid_request']);
  });

  it('wrong codes lock the account like wrong passwords: then even a right code is 429', async () => {
    const p = await enrolled();
    const kept = (await signIn(p.email)).body.challenge;
    // The limit is 5 failures: the password is right every time, the code never.
    for (let i = 0; i < 5; i++) {
      const challenge = (await signIn(p.email)).body.challenge;
      const answer = await secondStep({ challenge, code: p.wrong });
      expect([answer.status, (answer.body as unknown as ErrorAnswer).code]).toEqual([401, 'invalid_otp']);
    }
    const locked = await signIn(p.email);
    expect([locked.status, (locked.body as unknown as ErrorAnswer).code]).toEqual([429, 'too_many_requests']);
    const right = await secondStep({ challenge: kept, code: p.code(0) });
    expect([right.status, (right.body as unknown as ErrorAnswer).code]).toEqual([429, 'too_many_requests']);
    expect(await events(p.userId, 'mfa.failed')).toHaveLength(5);

    // In one step alike.
    const q = await enrolled();
    for (let i = 0; i < 5; i++) {
      expect((await signIn(q.email, { otp: q.wrong })).status).toBe(401);
    }
    const lockedToo = await signIn(q.email, { otp: q.code(0) });
    expect([lockedToo.status, (lockedToo.body as unknown as ErrorAnswer).code]).toEqual([429, 'too_many_requests']);
  });

  it('a challenge expires after 5 minutes (401 token_expired) and takes 5 codes at most', async () => {
    const p = await enrolled();
    const expiring = (await signIn(p.email)).body.challenge;
    await t.server.db.query(
      `UPDATE mfa_challenges SET expires_at = ${Date.now() - 1} WHERE user_id = '${p.userId}' AND used_at IS NULL`,
    );
    const expired = await secondStep({ challenge: expiring, code: p.code(0) });
    expect([expired.status, (expired.body as unknown as ErrorAnswer).code]).toEqual([401, 'token_expired']);

    // Stored as its hash only; bound to the client that began it.
    const challenge = (await signIn(p.email)).body.challenge;
    const rows: { challenge_hash: string }[] = await t.server.db.query(
      `SELECT challenge_hash FROM mfa_challenges WHERE user_id = '${p.userId}'`,
    );
    expect(rows.map((r) => r.challenge_hash)).not.toContain(challenge);
    const elsewhere = await fetch(`${t.server.url}/v1/auth/sign-in/mfa`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'another browser' },
      body: JSON.stringify({ challenge, code: p.code(0) }),
    });
    expect([elsewhere.status, ((await elsewhere.json()) as ErrorAnswer).code]).toEqual([401, 'unauthorized']);
    expect((await secondStep({ challenge, code: p.code(0) })).status).toBe(201);
  });

  it('disable needs the password and a code, and ends my other sessions', async () => {
    const p = await person();
    const other = await signIn(p.email);
    const { code, wrong } = await enrol(p.token);

    const badPassword = await api(t.server, 'DELETE', 'v1/auth/mfa/totp', {
      token: p.token,
      body: { password: 'not the password', code: code(0) },
    });
    expect([badPassword.status, badPassword.body.code]).toEqual([403, 'invalid_credentials']);
    const badCode = await api(t.server, 'DELETE', 'v1/auth/mfa/totp', {
      token: p.token,
      body: { password: PASSWORD, code: wrong },
    });
    expect([badCode.status, badCode.body.code]).toEqual([401, 'invalid_otp']);
    const noCode = await api(t.server, 'DELETE', 'v1/auth/mfa/totp', { token: p.token, body: { password: PASSWORD } });
    expect([noCode.status, noCode.body.code]).toEqual([400, 'invalid_request']);

    const disabled = await api<{ revoked: number }>(t.server, 'DELETE', 'v1/auth/mfa/totp', {
      token: p.token,
      body: { password: PASSWORD, code: code(0) },
    });
    expect(disabled).toEqual({ status: 200, body: { revoked: 1 } });
    const ended = await api(t.server, 'GET', 'v1/sessions/current', { token: other.body.token });
    expect([ended.status, ended.body.code]).toEqual([401, 'token_revoked']);
    expect((await status(p.token)).body).toEqual({ totp: false, recoveryCodesLeft: 0 });
    expect((await t.server.admin.users.get(p.userId)).mfa).toBe(false);
    expect(await events(p.userId, 'mfa.disabled')).toHaveLength(1);
    // The password alone signs in again.
    expect((await signIn(p.email)).status).toBe(201);
    const nothing = await api(t.server, 'DELETE', 'v1/auth/mfa/totp', {
      token: p.token,
      body: { password: PASSWORD, code: code(1) },
    });
    expect([nothing.status, nothing.body.code]).toEqual([404, 'not_found']);

    // A recovery code disables it as well.
    const q = await enrolled();
    const withRecovery = await api<{ revoked: number }>(t.server, 'DELETE', 'v1/auth/mfa/totp', {
      token: q.token,
      body: { password: PASSWORD, code: q.recoveryCodes[0] },
    });
    expect(withRecovery).toEqual({ status: 200, body: { revoked: 0 } });
  });

  it('new recovery codes need the password and a code; the old ones stop working', async () => {
    const p = await enrolled();
    const wrongCode = await api(t.server, 'POST', 'v1/auth/mfa/recovery-codes', {
      token: p.token,
      body: { password: PASSWORD, code: p.wrong },
    });
    expect([wrongCode.status, wrongCode.body.code]).toEqual([401, 'invalid_otp']);
    const fresh = await api<{ recoveryCodes: string[] }>(t.server, 'POST', 'v1/auth/mfa/recovery-codes', {
      token: p.token,
      body: { password: PASSWORD, code: p.code(0) },
    });
    expect(fresh.status).toBe(200);
    expect(fresh.body.recoveryCodes).toHaveLength(10);
    expect(fresh.body.recoveryCodes).not.toContain(p.recoveryCodes[0]);
    expect(await events(p.userId, 'mfa.recovery_codes_regenerated')).toHaveLength(1);

    const old = await secondStep({
      challenge: (await signIn(p.email)).body.challenge,
      recoveryCode: p.recoveryCodes[0],
    });
    expect([old.status, (old.body as unknown as ErrorAnswer).code]).toEqual([401, 'invalid_otp']);
    const challenge = (await signIn(p.email)).body.challenge;
    expect((await secondStep({ challenge, recoveryCode: fresh.body.recoveryCodes[0] })).status).toBe(201);
  });

  it('an admin sees and resets a second factor: every session ends, the password alone signs in', async () => {
    const p = await enrolled();
    expect((await t.server.admin.users.get(p.userId)).mfa).toBe(true);
    const reset = await api<{ revoked: number }>(t.server, 'DELETE', `v1/admin/users/${p.userId}/mfa`, {
      apiKey: admin(),
    });
    expect(reset).toEqual({ status: 200, body: { revoked: 1 } });
    const ended = await api(t.server, 'GET', 'v1/sessions/current', { token: p.token });
    expect([ended.status, ended.body.code]).toEqual([401, 'token_revoked']);
    expect((await t.server.admin.users.get(p.userId)).mfa).toBe(false);
    const again = await signIn(p.email);
    expect(again.status).toBe(201);
    expect((await status(again.body.token)).body).toEqual({ totp: false, recoveryCodesLeft: 0 });
    expect((await events(p.userId, 'mfa.reset')).map((e) => e.details)).toEqual([
      { revokedSessions: 1, hadSecondFactor: true },
    ]);
    const rows: unknown[] = await t.server.db.query(`SELECT * FROM recovery_codes WHERE user_id = '${p.userId}'`);
    expect(rows).toEqual([]);

    const unknown = await api(t.server, 'DELETE', 'v1/admin/users/nobody-here/mfa', { apiKey: admin() });
    expect([unknown.status, unknown.body.code]).toEqual([404, 'not_found']);
    const notAdmin = await api(t.server, 'DELETE', `v1/admin/users/${p.userId}/mfa`, { token: again.body.token });
    expect([notAdmin.status, notAdmin.body.code]).toEqual([403, 'forbidden']);
  });

  it('keeps the secret sealed and the recovery codes hashed at rest', async () => {
    const p = await enrolled();
    const [row] = await t.server.db.query<{ secret_enc: string }[]>(
      `SELECT secret_enc FROM mfa_totp WHERE user_id = '${p.userId}'`,
    );
    expect(row!.secret_enc).toMatch(/^v1\./);
    expect(row!.secret_enc).not.toContain(p.secret);
    const codes: { code_hash: string }[] = await t.server.db.query(
      `SELECT code_hash FROM recovery_codes WHERE user_id = '${p.userId}'`,
    );
    expect(codes).toHaveLength(10);
    for (const { code_hash } of codes) {
      expect(code_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(p.recoveryCodes.map((c) => c.replace(/-/g, ''))).not.toContain(code_hash);
    }
  });

  it('documents both answers of sign-in: 201 with a session, 200 with a challenge', async () => {
    const doc = (await (await fetch(`${t.server.url}/docs/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, { content?: unknown }> }>>;
    };
    const responses = doc.paths['/v1/auth/sign-in']?.post?.responses ?? {};
    expect(JSON.stringify(responses['201']?.content)).toContain('"token"');
    expect(JSON.stringify(responses['200']?.content)).toContain('"mfaRequired"');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/auth/mfa',
        '/v1/auth/mfa/totp',
        '/v1/auth/sign-in/mfa',
        '/v1/admin/users/{userId}/mfa',
      ]),
    );
  });

  it('only the person’s own user session manages the second factor', async () => {
    const p = await person();
    const { token } = await t.server.admin.admin.createSessionToken({ userId: p.userId });
    const impersonated = await api(t.server, 'GET', 'v1/auth/mfa', { token });
    expect([impersonated.status, impersonated.body.code]).toEqual([403, 'forbidden']);
    const key = await api(t.server, 'GET', 'v1/auth/mfa', { apiKey: admin() });
    expect([key.status, key.body.code]).toEqual([403, 'not_a_person']);
    const wrongPassword = await api(t.server, 'POST', 'v1/auth/mfa/totp', {
      token: p.token,
      body: { password: 'not the password' },
    });
    expect([wrongPassword.status, wrongPassword.body.code]).toEqual([403, 'invalid_credentials']);
    const nothingPending = await api(t.server, 'POST', 'v1/auth/mfa/totp/confirm', {
      token: p.token,
      body: { code: '123456' },
    });
    expect([nothingPending.status, nothingPending.body.code]).toEqual([400, 'invalid_request']);
  });
});

describeEachDatabase('TESSERA_REQUIRE_MFA=all', (db) => {
  const t = useServer(db, { TESSERA_REQUIRE_MFA: 'all' });

  it('a user without a second factor gets a session that may only enrol, until they do', async () => {
    const email = uniqueEmail('must-enrol');
    const user = await t.server.admin.users.create({ email, password: PASSWORD });
    const signedIn = await api<SignedIn>(t.server, 'POST', 'v1/auth/sign-in', { body: { email, password: PASSWORD } });
    expect(signedIn.status).toBe(201);
    const { token } = signedIn.body;
    const other = await api<SignedIn>(t.server, 'POST', 'v1/auth/sign-in', { body: { email, password: PASSWORD } });

    const refused = await api(t.server, 'GET', 'v1/sessions', { token });
    expect([refused.status, refused.body.code]).toEqual([403, 'mfa_enrollment_required']);
    const check = await api(t.server, 'POST', 'v1/check', {
      token,
      body: { permissionId: 'anything', userId: user.userId },
    });
    expect([check.status, check.body.code]).toEqual([403, 'mfa_enrollment_required']);
    expect((await api(t.server, 'GET', 'v1/sessions/current', { token })).status).toBe(200);
    expect((await api(t.server, 'GET', 'v1/auth/mfa', { token })).status).toBe(200);
    // Sign-out stays open to such a session.
    const out = await api(t.server, 'POST', 'v1/auth/sign-out', { token: other.body.token, body: {} });
    expect(out).toEqual({ status: 200, body: { revoked: 1 } });

    await roomInStep();
    const begun = await api<Enrolment>(t.server, 'POST', 'v1/auth/mfa/totp', { token, body: { password: PASSWORD } });
    expect(begun.status).toBe(200);
    const app = authenticator(begun.body.secret);
    const confirmed = await api(t.server, 'POST', 'v1/auth/mfa/totp/confirm', { token, body: { code: app.code(0) } });
    expect(confirmed.status).toBe(200);
    const rows: { enrol_only: boolean | number }[] = await t.server.db.query(
      `SELECT enrol_only FROM sessions WHERE user_id = '${user.userId}'`,
    );
    expect(rows.map((r) => Boolean(r.enrol_only))).toEqual([false, false]);
    expect((await api(t.server, 'GET', 'v1/sessions', { token })).status).toBe(200);
    // From now on sign-in asks for the code, and the session may do everything.
    const next = await api<SignedIn>(t.server, 'POST', 'v1/auth/sign-in', {
      body: { email, password: PASSWORD, otp: app.code(1) },
    });
    expect(next.status).toBe(201);
    expect((await api(t.server, 'GET', 'v1/sessions', { token: next.body.token })).status).toBe(200);
  });
});

describeEachDatabase('TESSERA_REQUIRE_MFA=admin', (db) => {
  const t = useServer(db, { TESSERA_REQUIRE_MFA: 'admin' });

  const sessionsAnswer = async (email: string) => {
    const signedIn = await api<SignedIn>(t.server, 'POST', 'v1/auth/sign-in', { body: { email, password: PASSWORD } });
    expect(signedIn.status).toBe(201);
    return (await api(t.server, 'GET', 'v1/sessions', { token: signedIn.body.token })).status;
  };

  it('covers super admins and tenant admins, not other users', async () => {
    const [plain, tenantAdmin, superAdmin] = [uniqueEmail('plain'), uniqueEmail('tadmin'), uniqueEmail('sadmin')];
    const users = await Promise.all(
      [plain, tenantAdmin, superAdmin].map((email) => t.server.admin.users.create({ email, password: PASSWORD })),
    );
    const tenant = await t.server.admin.tenants.create({ name: 'Covered' });
    await t.server.admin.grants.addRole({ tenantId: tenant.tenantId, userId: users[1]!.userId, roleId: 'admin' });
    await t.server.admin.grants.addRole({ userId: users[2]!.userId, roleId: 'super_admin' });
    expect(await sessionsAnswer(plain)).toBe(200);
    expect(await sessionsAnswer(tenantAdmin)).toBe(403);
    expect(await sessionsAnswer(superAdmin)).toBe(403);
  });
});

describeEachDatabase('TESSERA_REQUIRE_VERIFIED_EMAIL=true', (db) => {
  const t = useServer(db, { TESSERA_REQUIRE_VERIFIED_EMAIL: 'true' });

  it('refuses an unverified address after the right password only', async () => {
    const email = uniqueEmail('unverified');
    await t.server.admin.users.create({ email, password: PASSWORD });
    const right = await api(t.server, 'POST', 'v1/auth/sign-in', { body: { email, password: PASSWORD } });
    expect([right.status, right.body.code]).toEqual([403, 'email_not_verified']);
    const wrong = await api(t.server, 'POST', 'v1/auth/sign-in', { body: { email, password: 'not the password' } });
    expect([wrong.status, wrong.body.code]).toEqual([401, 'invalid_credentials']);

    const verified = uniqueEmail('verified');
    await t.server.admin.users.create({ email: verified, password: PASSWORD, emailVerified: true });
    const ok = await api(t.server, 'POST', 'v1/auth/sign-in', { body: { email: verified, password: PASSWORD } });
    expect(ok.status).toBe(201);
  });
});
