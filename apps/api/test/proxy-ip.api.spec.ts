import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import { PASSWORD, describeEachDatabase, uniqueEmail, useServer, type TestServer } from './harness.js';

/**
 * A reverse proxy on 127.0.0.1 in front of the API, as nginx with
 * `proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for`: it appends the address its client
 * connected from to whatever X-Forwarded-For the client sent.
 */
class ForwardingProxy {
  private server!: Server;
  url = '';

  constructor(private readonly target: string) {}

  async start(): Promise<this> {
    const target = new URL(this.target);
    this.server = createServer((incoming, outgoing) => {
      const sent = incoming.headers['x-forwarded-for'];
      const headers: IncomingHttpHeaders = {
        ...incoming.headers,
        'x-forwarded-for': sent ? `${String(sent)}, ${incoming.socket.remoteAddress}` : incoming.socket.remoteAddress,
      };
      const forward = { host: target.hostname, port: target.port, method: incoming.method, path: incoming.url };
      const upstream = request({ ...forward, headers, agent: false }, (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      });
      upstream.on('error', () => outgoing.destroy());
      incoming.pipe(upstream);
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('proxy has no address');
    this.url = `http://127.0.0.1:${address.port}`;
    return this;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** A sign-in from a client at `from` (any 127.x address is this machine), claiming to be `forged`. */
interface Answer {
  status: number;
  body: { token?: string; code?: string };
}

function signIn(url: string, from: string, forged: string, body: object): Promise<Answer> {
  const target = new URL(url);
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: target.hostname,
        port: target.port,
        localAddress: from,
        method: 'POST',
        path: '/v1/auth/sign-in',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': forged },
        agent: false,
      },
      (answer) => {
        let text = '';
        answer.on('data', (chunk: Buffer) => (text += chunk.toString()));
        answer.on('end', () => resolve({ status: answer.statusCode ?? 0, body: JSON.parse(text) as Answer['body'] }));
      },
    );
    outgoing.on('error', reject);
    outgoing.end(payload);
  });
}

/** The `ip` the server recorded on the session a sign-in from `from` made. */
async function recordedIp(server: TestServer, url: string, from: string, forged: string) {
  const email = uniqueEmail('proxied');
  await server.admin.users.create({ email, password: PASSWORD });
  const answer = await signIn(url, from, forged, { email, password: PASSWORD });
  expect(answer.status).toBe(201);
  return (await server.anon.withToken(answer.body.token!).sessions.current()).session.ip;
}

describeEachDatabase('the client address behind a proxy', (db) => {
  // The client connects from 127.0.0.2; the proxy reaches the API from 127.0.0.1.
  describe.each([
    ['1', 'a hop count'],
    ['127.0.0.1', 'the proxy address'],
  ])('TESSERA_TRUST_PROXY=%s (%s)', (trust) => {
    const t = useServer(db, { TESSERA_TRUST_PROXY: trust, TESSERA_SIGN_IN_IP_LIMIT: '3' });
    let proxy: ForwardingProxy;
    beforeAll(async () => (proxy = await new ForwardingProxy(t.server.url).start()));
    afterAll(() => proxy.close());

    it('records the address the proxy saw, not the X-Forwarded-For the client forged', async () => {
      expect(await recordedIp(t.server, proxy.url, '127.0.0.2', '6.6.6.6')).toBe('127.0.0.2');
    });

    it('counts sign-in attempts per real address: a new forged X-Forwarded-For does not reset it', async () => {
      const attempt = (from: string, forged: string) =>
        signIn(proxy.url, from, forged, { email: uniqueEmail('nobody'), password: 'wrong password' });
      // The recorded-ip test above signed in once from 127.0.0.2; this one starts from a fresh address.
      for (const forged of ['6.6.6.1', '6.6.6.2', '6.6.6.3']) {
        expect((await attempt('127.0.0.4', forged)).status).toBe(401);
      }
      const over = await attempt('127.0.0.4', '6.6.6.4');
      expect([over.status, over.body.code]).toEqual([429, 'too_many_requests']);
      // Another client behind the same proxy has a budget of its own.
      expect((await attempt('127.0.0.5', '6.6.6.4')).status).toBe(401);
    });
  });

  describe('TESSERA_TRUST_PROXY=10.0.0.0/8 (a proxy elsewhere)', () => {
    const t = useServer(db, { TESSERA_TRUST_PROXY: '10.0.0.0/8' });

    it('ignores the X-Forwarded-For of a client that connects directly from another address', async () => {
      expect(await recordedIp(t.server, t.server.url, '127.0.0.2', '6.6.6.6')).toBe('127.0.0.2');
    });
  });

  describe('without TESSERA_TRUST_PROXY', () => {
    const t = useServer(db);

    it('records the socket address: a direct client X-Forwarded-For is ignored', async () => {
      expect(await recordedIp(t.server, t.server.url, '127.0.0.2', '6.6.6.6')).toBe('127.0.0.2');
    });
  });
});
