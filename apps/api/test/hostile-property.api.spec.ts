import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import fc from 'fast-check';
import { ERROR_CODES } from '@tessera/dto';
import { PASSWORD, TestStore, randomKey, uniqueEmail, sessionOf } from './harness.js';
import { startApiProcess, type ApiProcess } from './process.js';

interface Answer {
  status: number;
  body: string;
  contentType: string | undefined;
}

/** One raw HTTP request: bytes the typed client (or fetch) would never send. */
function send(
  url: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: Buffer,
): Promise<Answer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    // A connection per request: after refusing a body Fastify closes the connection, and a reused
    // keep-alive socket would turn that into a client-side "socket hang up".
    const req = request({ hostname, port, method, path, headers, timeout: 10_000, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
          contentType: res.headers['content-type'],
        }),
      );
    });
    req.on('timeout', () => req.destroy(new Error(`no answer in 10 s: ${method} ${path}`)));
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

const rssMb = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

/** The Warrant-compatible routes also use the two codes Warrant's SDK knows for a bad request. */
const WARRANT_CODES = ['invalid_parameter', 'missing_required_parameter'];

/** Contember's /tenant answers every error as `{"errors": [{message, ...}]}`, GraphQL's and the transport's alike. */
function expectContemberShape(answer: Answer, what: string) {
  if (!answer.contentType?.startsWith('application/json')) throw new Error(`${what} → not JSON: ${answer.contentType}`);
  const body = JSON.parse(answer.body) as { errors?: { message?: unknown }[]; data?: unknown };
  const errors = body.errors;
  if (answer.status >= 400 && (!Array.isArray(errors) || errors.length === 0)) {
    throw new Error(`${what} → ${answer.status} outside Contember's shape: ${answer.body.slice(0, 300)}`);
  }
  if (errors?.some((e) => typeof e.message !== 'string')) throw new Error(`${what} → an error without a message`);
  if (answer.status < 400 && !('data' in body))
    throw new Error(`${what} → 200 without data: ${answer.body.slice(0, 300)}`);
  if (/at .+\.(js|ts):\d+/.test(answer.body)) throw new Error(`${what} → a stack trace in the body`);
}

/** Every answer to hostile input: a 2xx or 4xx, and every error in API.md's shape; never a 5xx. */
function expectClean(answer: Answer, what: string) {
  if (answer.status >= 500) throw new Error(`${what} → ${answer.status} ${answer.body.slice(0, 300)}`);
  if (/^POST \/tenant\b/.test(what)) return expectContemberShape(answer, what);
  if (answer.status >= 400) {
    const body = JSON.parse(answer.body) as { code: string; message: string };
    const codes: readonly string[] = what.includes(' /warrant/') ? [...ERROR_CODES, ...WARRANT_CODES] : ERROR_CODES;
    if (!codes.includes(body.code) || typeof body.message !== 'string') {
      throw new Error(`${what} → ${answer.status} with a body outside API.md: ${answer.body.slice(0, 300)}`);
    }
    if (/at .+\.(js|ts):\d+/.test(answer.body)) throw new Error(`${what} → a stack trace in the body`);
  }
}

describe('hostile input, as properties', () => {
  const store = new TestStore('sqlite');
  const rootKey = randomKey();
  let api: ApiProcess;
  let routes: { method: string; path: string }[];
  let token: string;

  beforeAll(async () => {
    api = await startApiProcess(
      {
        DATABASE_URL: await store.databaseUrl(),
        TESSERA_DATA_DIR: store.dir,
        TESSERA_JWT_SECRET: randomBytes(32).toString('base64url'),
        TESSERA_SIGN_IN_IP_LIMIT: '1000000',
        TESSERA_PUBLIC_IP_LIMIT: '1000000',
      },
      rootKey,
    );
    const doc = JSON.parse((await send(api.url, 'GET', '/docs/openapi.json', {})).body) as {
      paths: Record<string, Record<string, unknown>>;
    };
    routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => ({ method: method.toUpperCase(), path })),
    );
    const email = uniqueEmail();
    await api.admin.users.create({ email, password: PASSWORD });
    token = (await sessionOf(api.anon.auth.signIn({ email, password: PASSWORD }))).token;
  }, 60_000);

  afterAll(async () => {
    await api?.stop();
    await store.drop();
  });

  const segment = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.constantFrom(
      '..',
      '%2e%2e',
      '%00',
      '%ff%fe',
      '%7C'.repeat(50),
      'a'.repeat(300),
      "' OR 1=1 --",
      '${jndi:x}',
      '__proto__',
      'constructor',
    ),
  );
  const json = fc.oneof(
    fc.jsonValue({ maxDepth: 4 }),
    fc.dictionary(
      fc.constantFrom(
        'email',
        'password',
        'userId',
        'tenantId',
        'roleId',
        'checks',
        'type',
        'ttl',
        'all',
        'code',
        'name',
        'roles',
        'expiration',
        '__proto__',
      ),
      fc.jsonValue({ maxDepth: 3 }),
    ),
  );
  const credential = (t: string, key: string) =>
    fc.oneof(
      fc.constant(undefined),
      fc.constant(`Bearer ${t}`),
      fc.constant(`ApiKey ${key}`),
      fc.string({ maxLength: 200 }).map((s) => `Bearer ${s}`),
    );

  it('answers every route, with any body, params and query, with a clean 2xx/4xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        fc.array(segment, { minLength: 3, maxLength: 3 }),
        fc.dictionary(
          fc.constantFrom('limit', 'after', 'userId', 'type', 'from', 'to', 'x'),
          fc.string({ maxLength: 30 }),
          { maxKeys: 3 },
        ),
        json,
        credential('TOKEN', 'KEY'),
        async (pick, segments, query, body, auth) => {
          const route = routes[pick % routes.length]!;
          let i = 0;
          const path = route.path.replace(/\{[A-Za-z]+\}/g, () => encodeURIComponent(segments[i++ % 3]!));
          const qs = new URLSearchParams(query).toString();
          const headers: Record<string, string> = { 'content-type': 'application/json' };
          if (auth) headers.authorization = auth.replace('TOKEN', token).replace('KEY', rootKey);
          const payload = route.method === 'GET' ? undefined : Buffer.from(JSON.stringify(body));
          const answer = await send(api.url, route.method, `${path}${qs ? `?${qs}` : ''}`, headers, payload);
          expectClean(answer, `${route.method} ${path}`);
        },
      ),
      { numRuns: 1500 },
    );
  }, 120_000);

  it('answers hostile Authorization headers with 401, never a 5xx', async () => {
    const [h, p, s] = token.split('.') as [string, string, string];
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const kid = (JSON.parse(Buffer.from(h, 'base64url').toString()) as { kid: string }).kid;
    const crafted = fc.oneof(
      fc.constant(`Bearer ${b64({ alg: 'none', typ: 'JWT', kid })}.${p}.`),
      fc.constant(`Bearer ${b64({ alg: 'RS256', kid })}.${p}.${s}`),
      fc.constant(`Bearer ${b64({ alg: 'HS256', kid: '../../../../etc/passwd' })}.${p}.${s}`),
      fc.constant(`Bearer ${b64({ alg: 'HS256', kid: "x' OR '1'='1" })}.${p}.${s}`),
      fc.constant(`Bearer ${h}.${b64({ ...claims, exp: 1 })}.${s}`),
      fc.constant(`Bearer ${h}.${b64({ ...claims, nbf: 4102444800 })}.${s}`),
      fc.constant(`Bearer ${h}.${b64({ ...claims, aud: 'someone-else' })}.${s}`),
      fc.constant(`Bearer ${h}.${b64({ ...claims, sid: "' OR 1=1 --" })}.${s}`),
      fc.constant(`Bearer ${'a'.repeat(16 * 1024)}`),
      fc.string({ maxLength: 300 }).map((x) => `Bearer ${h}.${Buffer.from(x).toString('base64url')}.${s}`),
      // Non-UTF-8 bytes on the wire: a latin1 string is written byte for byte.
      fc
        .uint8Array({ minLength: 1, maxLength: 64 })
        .map(
          (bytes) =>
            `Bearer ${Buffer.from(bytes.map((b) => (b < 0x20 || b === 0x7f ? 0x80 + (b % 0x20) : b))).toString('latin1')}`,
        ),
    );
    await fc.assert(
      fc.asyncProperty(
        crafted,
        fc.constantFrom('/v1/sessions/current', '/v1/users', '/v1/check'),
        async (authorization, path) => {
          const answer = await send(
            api.url,
            path === '/v1/check' ? 'POST' : 'GET',
            path,
            { authorization, 'content-type': 'application/json' },
            path === '/v1/check' ? Buffer.from('{"checks":[{"permission":"p"}]}') : undefined,
          );
          expectClean(answer, `Authorization on ${path}`);
          if (![401, 431].includes(answer.status))
            throw new Error(`${path} answered ${answer.status} to a forged credential: ${answer.body}`);
        },
      ),
      { numRuns: 500 },
    );
  }, 120_000);

  it("answers hostile GraphQL on /tenant (deep, aliased, huge, wrong types) with 200 or a 4xx in Contember's shape", async () => {
    const nested = (depth: number) => `{ me { ${'person { identity { '.repeat(depth)}id${' } }'.repeat(depth)} } }`;
    const aliased = (n: number) =>
      `mutation { ${Array.from({ length: n }, (_, i) => `a${i}: signIn(email: "a${i}@x.y", password: "p") { ok }`).join(' ')} }`;
    const SIGN_IN =
      'mutation($e: String!, $p: String!, $x: Int, $o: String) { signIn(email: $e, password: $p, expiration: $x, otpToken: $o) { ok error { code } } }';
    const document = fc.oneof(
      fc.integer({ min: 1, max: 40 }).map(nested),
      fc.integer({ min: 1, max: 60 }).map(aliased),
      fc.integer({ min: 1, max: 90_000 }).map((n) => `{ me { id } } #${'x'.repeat(n)}`),
      fc.integer({ min: 1, max: 3_000 }).map((n) => `{ ${'__typename '.repeat(n)}}`),
      fc.constant('{ ...A } fragment A on Query { ...A }'),
      fc.constant('subscription { me { id } }'),
      fc.constant('query A { me { id } } query B { me { id } }'),
      fc.constant(SIGN_IN),
      fc.string({ maxLength: 200 }),
    );
    const variables = fc.oneof(
      fc.constant(undefined),
      fc.jsonValue({ maxDepth: 3 }),
      fc.record({
        e: fc.jsonValue({ maxDepth: 2 }),
        p: fc.jsonValue({ maxDepth: 2 }),
        x: fc.jsonValue({ maxDepth: 1 }),
      }),
      fc.record({ e: fc.string({ maxLength: 400 }), p: fc.string({ maxLength: 2000 }), x: fc.integer() }),
    );
    const envelope = fc.oneof(
      fc.record({ query: document, variables, operationName: fc.option(fc.string({ maxLength: 10 })) }),
      fc.array(fc.record({ query: document }), { maxLength: 3 }),
      fc.jsonValue({ maxDepth: 3 }),
    );
    await fc.assert(
      fc.asyncProperty(envelope, credential('TOKEN', 'KEY'), async (body, auth) => {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (auth) headers.authorization = auth.replace('TOKEN', token).replace('KEY', rootKey);
        const answer = await send(api.url, 'POST', '/tenant', headers, Buffer.from(JSON.stringify(body) ?? 'null'));
        expectClean(answer, 'POST /tenant');
      }),
      { numRuns: 400 },
    );
  }, 120_000);

  it('keeps its memory flat under hostile traffic', async () => {
    const run = async () => {
      for (let i = 0; i < 400; i++) {
        await send(
          api.url,
          'POST',
          '/v1/auth/sign-in',
          { 'content-type': 'application/json' },
          Buffer.from(JSON.stringify({ email: `x${i}@y.z`, password: 'p'.repeat(i % 50), extra: i })),
        );
        await send(api.url, 'GET', `/v1/users/${'z'.repeat(i % 200)}`, { authorization: `ApiKey tsk_${i}` });
      }
    };
    await run();
    const before = rssMb(api.pid);
    await run();
    await run();
    expect(rssMb(api.pid) - before).toBeLessThan(40);
    expect(api.alive()).toBe(true);
  }, 120_000);
});
