import jwt from 'jsonwebtoken';
import { keyId } from '../src/auth/signing-keys.js';
import { describeEachDatabase, failure, signedInUser, useServer, type TestServer } from './harness.js';

/** A raw request, for bodies and headers the typed client would never send. */
async function raw(server: TestServer, path: string, init: RequestInit = {}) {
  const response = await fetch(`${server.url}${path}`, init);
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text) as { code: string; message: string; details?: unknown } };
}

const json = { 'content-type': 'application/json' };

describeEachDatabase('hostile input', (db) => {
  const t = useServer(db);

  it.each([
    ['malformed JSON', '{"email": "a@b.c", "password": '],
    ['a JSON array', '[1, 2, 3]'],
    ['a JSON string', '"hello"'],
    ['wrong types', '{"email": 42, "password": ["x"]}'],
    ['an unknown field', '{"email": "a@b.c", "password": "x", "admin": true}'],
    ['a missing field', '{"email": "a@b.c"}'],
    ['a prototype key', '{"email": "a@b.c", "password": "x", "__proto__": {"admin": true}}'],
    ['null', 'null'],
  ])('answers %s with 400 invalid_request', async (_label, body) => {
    const { status, body: error } = await raw(t.server, '/v1/auth/sign-in', { method: 'POST', headers: json, body });
    expect(status).toBe(400);
    expect(error.code).toBe('invalid_request');
    expect(typeof error.message).toBe('string');
    expect(JSON.stringify(error)).not.toMatch(/at .*\.(js|ts):\d+/);
  });

  it('names the offending fields in details', async () => {
    const { body } = await raw(t.server, '/v1/auth/sign-in', {
      method: 'POST',
      headers: json,
      body: '{"email": 42, "password": "x", "extra": 1}',
    });
    expect(body.details).toEqual({ fields: { email: expect.any(String), extra: 'unknown field' } });
  });

  it('answers a body over 64 KiB with 413 payload_too_large', async () => {
    const body = JSON.stringify({ email: 'a@b.c', password: 'x'.repeat(70 * 1024) });
    const { status, body: error } = await raw(t.server, '/v1/auth/sign-in', { method: 'POST', headers: json, body });
    expect([status, error.code]).toEqual([413, 'payload_too_large']);
  });

  it('answers a non-JSON content type with 415 invalid_request', async () => {
    const { status, body } = await raw(t.server, '/v1/auth/sign-in', {
      method: 'POST',
      headers: { 'content-type': 'application/xml' },
      body: '<a/>',
    });
    expect([status, body.code]).toEqual([415, 'invalid_request']);
  });

  it('treats an empty body sent as application/json as no body', async () => {
    const { client } = await signedInUser(t.server);
    const response = await fetch(`${t.server.url}/v1/auth/sign-out`, {
      method: 'POST',
      headers: { ...json, authorization: `Bearer ${client.options.token}` },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ revoked: 1 });
  });

  it('answers an unknown route with 404 not_found', async () => {
    const { status, body } = await raw(t.server, '/v1/nothing-here');
    expect([status, body.code]).toEqual([404, 'not_found']);
  });

  describe('session tokens', () => {
    const forge = (server: TestServer, claims: object, secret: string, header: object = {}) =>
      jwt.sign(claims, secret, { algorithm: 'HS256', keyid: keyId(secret), header: { alg: 'HS256', ...header } });

    async function expectUnauthorized(server: TestServer, token: string, code = 'unauthorized') {
      const error = await failure(server.anon.withToken(token).sessions.current());
      expect([error.status, error.code]).toEqual([401, code]);
    }

    it('refuses a token whose payload was changed', async () => {
      const { token } = await signedInUser(t.server);
      const other = await signedInUser(t.server);
      const [h, p, s] = token.split('.');
      const payload = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>;
      payload.sub = other.user.userId;
      await expectUnauthorized(t.server, `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`);
    });

    it('refuses alg none', async () => {
      const { token } = await signedInUser(t.server);
      const [, p] = token.split('.');
      const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
      await expectUnauthorized(t.server, `${header}.${p}.`);
    });

    it('refuses a token signed with a foreign key, with or without our kid', async () => {
      const { token } = await signedInUser(t.server);
      const claims = jwt.decode(token) as object;
      await expectUnauthorized(t.server, forge(t.server, claims, 'a-completely-different-secret-of-32+chars'));
      await expectUnauthorized(
        t.server,
        jwt.sign(claims, 'a-completely-different-secret-of-32+chars', {
          algorithm: 'HS256',
          keyid: keyId(t.server.jwtSecret),
        }),
      );
    });

    it('refuses RS256 and HS512 headers (algorithm confusion)', async () => {
      const { token } = await signedInUser(t.server);
      const claims = jwt.decode(token) as object;
      await expectUnauthorized(
        t.server,
        jwt.sign(claims, t.server.jwtSecret, { algorithm: 'HS512', keyid: keyId(t.server.jwtSecret) }),
      );
      const [, p, s] = token.split('.');
      const rs = Buffer.from(JSON.stringify({ alg: 'RS256', kid: keyId(t.server.jwtSecret) })).toString('base64url');
      await expectUnauthorized(t.server, `${rs}.${p}.${s}`);
    });

    it('refuses a correctly signed token whose secret does not match the session row', async () => {
      const { token } = await signedInUser(t.server);
      const claims = jwt.decode(token) as Record<string, unknown>;
      await expectUnauthorized(t.server, forge(t.server, { ...claims, sec: 'x'.repeat(43) }, t.server.jwtSecret));
    });

    it('refuses a correctly signed token for a session that does not exist', async () => {
      const { token } = await signedInUser(t.server);
      const claims = jwt.decode(token) as Record<string, unknown>;
      await expectUnauthorized(
        t.server,
        forge(t.server, { ...claims, sid: '00000000-0000-4000-8000-000000000000' }, t.server.jwtSecret),
      );
    });

    it('answers a token past its absolute expiry (exp) with token_expired', async () => {
      const { token } = await signedInUser(t.server);
      const claims = jwt.decode(token) as Record<string, unknown>;
      const expired = forge(t.server, { ...claims, exp: Math.floor(Date.now() / 1000) - 10 }, t.server.jwtSecret);
      await expectUnauthorized(t.server, expired, 'token_expired');
    });

    it.each([
      ['garbage', 'not-a-token-at-all'],
      ['three dots of garbage', 'a.b.c'],
      ['a JWT with a non-JSON payload', `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.bm90IGpzb24.c2ln`],
    ])('refuses %s', async (_label, token) => {
      const error = await failure(t.server.anon.withToken(token).sessions.current());
      expect([error.status, error.code]).toEqual([401, 'unauthorized']);
    });

    it('refuses malformed Authorization headers with 401, never 500', async () => {
      for (const authorization of ['Basic abc', 'Bearer', 'Bearer a b c', `Bearer ${'a'.repeat(6000)}`, 'ApiKey ']) {
        const { status, body } = await raw(t.server, '/v1/sessions/current', { headers: { authorization } });
        expect([status, body.code]).toEqual([401, 'unauthorized']);
      }
    });
  });
});
