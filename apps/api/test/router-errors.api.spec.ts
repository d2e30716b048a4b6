import { connect } from 'node:net';
import { useServer } from './harness.js';

/** The headers every answer carries (app.ts), refusals made before Nest sees the request included. */
const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
};

/** What the client sent that no answer may quote back. */
const MARKER = 'evilmarker';

interface Answer {
  status: number;
  headers: Record<string, string>;
  text: string;
}

async function call(url: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(url, init);
  return { status: response.status, headers: Object.fromEntries(response.headers), text: await response.text() };
}

/** Bytes on a socket, for requests fetch would refuse to send; the server closes the connection. */
function rawCall(url: string, request: string): Promise<Answer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(request));
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', text = ''] = received.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(
        lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
      );
      resolve({ status: Number(statusLine.split(' ')[1]), headers, text });
    });
  });
}

/** API.md's error body, the security headers, and nothing of what was sent. */
function expectErrorAnswer(answer: Answer, status: number, code: string, sent: string) {
  expect(answer.status).toBe(status);
  expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(answer.headers).toMatchObject(SECURITY_HEADERS);
  const body = JSON.parse(answer.text) as Record<string, unknown>;
  const details = code === 'not_found' ? { details: { type: 'route' } } : {};
  expect(body).toEqual({ code, message: expect.any(String), ...details });
  expect(answer.text).not.toContain(MARKER);
  expect(answer.text).not.toContain(sent);
}

describe('errors raised before a route handler', () => {
  const t = useServer('sqlite');

  it('answers a path parameter over the router limit with 400 invalid_request, not a 414 with the path', async () => {
    const path = `/v1/users/${MARKER}${'x'.repeat(600)}`;
    const answer = await call(`${t.server.url}${path}`, { headers: { authorization: `ApiKey ${t.server.rootKey}` } });
    expectErrorAnswer(answer, 400, 'invalid_request', path);
  });

  it.each([`/v1/users/${MARKER}%E0%A4%A`, `/v1/${MARKER}/%zz`, `/${MARKER}%E0%A4%A`, `/assets/${MARKER}%E0`])(
    'answers a bad percent-escape (%s) with 400 invalid_request',
    async (path) => {
      expectErrorAnswer(await call(`${t.server.url}${path}`), 400, 'invalid_request', path);
    },
  );

  it('answers an unknown route or method with 404 not_found, without the path', async () => {
    const path = `/v1/${MARKER}-nothing-here`;
    expectErrorAnswer(await call(`${t.server.url}${path}`), 404, 'not_found', path);
    const propfind = await call(`${t.server.url}/v1/auth/sign-in`, { method: 'PROPFIND' });
    expectErrorAnswer(propfind, 404, 'not_found', '/v1/auth');
  });

  describe('a body Fastify refuses', () => {
    const signIn = (headers: Record<string, string>, body: string) =>
      call(`${t.server.url}/v1/auth/sign-in`, { method: 'POST', headers, body });

    it('an unknown content type: 415 invalid_request, the type not quoted', async () => {
      const type = `application/x-${MARKER}`;
      expectErrorAnswer(await signIn({ 'content-type': type }, '<a/>'), 415, 'invalid_request', type);
    });

    it('a body over the limit: 413 payload_too_large', async () => {
      const body = JSON.stringify({ email: MARKER, password: 'x'.repeat(70 * 1024) });
      expectErrorAnswer(await signIn({ 'content-type': 'application/json' }, body), 413, 'payload_too_large', body);
    });

    it('malformed JSON: 400 invalid_request, the input not quoted', async () => {
      const body = `{"email": "${MARKER}", `;
      expectErrorAnswer(await signIn({ 'content-type': 'application/json' }, body), 400, 'invalid_request', body);
    });
  });

  it('answers a 404 of a route with a free path segment without quoting it', async () => {
    const asset = await call(`${t.server.url}/assets/${MARKER}.js`);
    expect(asset.status).toBe(404);
    expect(asset.text).not.toContain(MARKER);
    const owner = await call(`${t.server.url}/warrant/v1/${MARKER}/x/features`, {
      headers: { authorization: `ApiKey ${t.server.rootKey}` },
    });
    expect(owner.status).toBe(404);
    expect(owner.text).not.toContain(MARKER);
  });

  describe('a request Node refuses before Fastify', () => {
    it('a malformed request line: 400 invalid_request', async () => {
      const answer = await rawCall(t.server.url, `GET /v1/${MARKER} x HTTP/1.1\r\nHost: a\r\n\r\n`);
      expectErrorAnswer(answer, 400, 'invalid_request', `/v1/${MARKER}`);
    });

    it('headers over 16 KB: 431 invalid_request', async () => {
      const answer = await rawCall(t.server.url, `GET /v1/${MARKER}${'x'.repeat(20_000)} HTTP/1.1\r\nHost: a\r\n\r\n`);
      expectErrorAnswer(answer, 431, 'invalid_request', `/v1/${MARKER}`);
    });
  });
});
