import { describeEachDatabase, signedInUser, useServer } from './harness.js';

/** Every API answer carries these. */
function expectApiHeaders(response: Response): void {
  expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
  expect(response.headers.get('cache-control')).toBe('no-store');
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
}

describeEachDatabase('the hot routes: GET /v1/sessions/current and POST /v1/check', (db) => {
  const t = useServer(db);
  const call = async (path: string, init: { method?: string; authorization?: string; body?: string } = {}) => {
    const headers: Record<string, string> = {};
    if (init.authorization) headers.authorization = init.authorization;
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${t.server.url}${path}`, { method: init.method ?? 'GET', headers, body: init.body });
    expectApiHeaders(response);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('authenticates, refuses and answers GET /v1/sessions/current as the rest of the API does', async () => {
    expect(await call('/v1/sessions/current')).toEqual({
      status: 401,
      body: { code: 'unauthorized', message: 'Credentials required' },
    });
    expect(await call('/v1/sessions/current', { authorization: 'Bearer' })).toEqual({
      status: 401,
      body: { code: 'unauthorized', message: 'Malformed Authorization header' },
    });
    const withKey = await call('/v1/sessions/current', { authorization: `ApiKey ${t.server.rootKey}` });
    expect(withKey.body.code).toBe('not_a_person');
    const { user, token, client } = await signedInUser(t.server);
    const current = await call('/v1/sessions/current', { authorization: `Bearer ${token}` });
    expect(current.status).toBe(200);
    expect(current.body).toMatchObject({
      session: { userId: user.userId, type: 'user', current: true },
      user: { userId: user.userId, email: user.email },
    });
    const head = await fetch(`${t.server.url}/v1/sessions/current`, {
      method: 'HEAD',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    await client.auth.signOut();
    expect(await call('/v1/sessions/current', { authorization: `Bearer ${token}` })).toEqual({
      status: 401,
      body: { code: 'token_revoked', message: 'Session was signed out' },
    });
  });

  it('validates POST /v1/check bodies and answers 200 with the results', async () => {
    const authorization = `ApiKey ${t.server.rootKey}`;
    const { user } = await signedInUser(t.server);
    const post = (body: unknown) => call('/v1/check', { method: 'POST', authorization, body: JSON.stringify(body) });
    expect(await post({ userId: user.userId, checks: [{ permission: 'nothing-held' }] })).toEqual({
      status: 200,
      body: { authorized: false, results: [false] },
    });
    const invalid = await post({ userId: user.userId, checks: [{}], extra: 1 });
    expect(invalid).toEqual({
      status: 400,
      body: {
        code: 'invalid_request',
        message: 'The request is not valid',
        details: { fields: { 'checks.0': 'exactly one of permission, role or feature', extra: 'unknown field' } },
      },
    });
    // Fastify's parser refuses this before any handler, as on every other route.
    expect(await call('/v1/check', { method: 'POST', authorization, body: '{"checks":' })).toEqual({
      status: 400,
      body: {
        code: 'invalid_request',
        message: "Body is not valid JSON but content-type is set to 'application/json'",
      },
    });
    expect((await call('/v1/check', { method: 'POST', authorization, body: '' })).body.code).toBe('invalid_request');
    expect((await call('/v1/check', { method: 'POST', body: '{}' })).status).toBe(401);
  });
});
