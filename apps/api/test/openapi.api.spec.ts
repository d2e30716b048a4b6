import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PASSWORD, uniqueEmail, useServer } from './harness.js';
import { ROOT } from './process.js';

const REDOCLY = join(ROOT, 'node_modules/.bin/redocly');

interface LintReport {
  totals: { errors: number; warnings: number };
  problems: { ruleId: string; severity: 'error' | 'warn'; message: string; location: { pointer: string }[] }[];
}

interface ErrorAnswer {
  description: string;
  content: Record<string, { schema: { $ref?: string } }>;
  'x-error-codes': string[];
}

interface Document {
  servers?: { url: string }[];
  info: { license?: { name: string; identifier?: string } };
  paths: Record<string, Record<string, { responses: Record<string, ErrorAnswer> }>>;
  components: { schemas: Record<string, { properties: Record<string, { enum?: string[] }> }> };
}

/** Redocly CLI's `lint` with its `recommended` rules, offline: no telemetry, no update check. */
async function lint(document: unknown): Promise<LintReport> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-openapi-'));
  try {
    writeFileSync(join(dir, 'openapi.json'), JSON.stringify(document));
    writeFileSync(join(dir, 'redocly.yaml'), 'extends:\n  - recommended\ntelemetry: off\n');
    const env = {
      PATH: process.env.PATH,
      NO_COLOR: '1',
      REDOCLY_TELEMETRY: 'off',
      REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true',
    };
    // Without --max-problems the report holds only the first 100.
    const args = ['lint', 'openapi.json', '--format=json', '--config=redocly.yaml', '--max-problems=10000'];
    // The CLI exits 1 when it finds an error; its report on stdout is what counts.
    const stdout = await promisify(execFile)(REDOCLY, args, { cwd: dir, env }).then(
      (r) => r.stdout,
      (error: { stdout?: string }) => error.stdout ?? '',
    );
    return JSON.parse(stdout) as LintReport;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the OpenAPI document', () => {
  const t = useServer('sqlite');
  const doc = async () => (await (await fetch(`${t.server.url}/docs/openapi.json`)).json()) as Document;

  it("passes Redocly CLI's recommended rules with no error and no warning but two accepted ones", async () => {
    const { totals, problems } = await lint(await doc());
    expect(problems.map((p) => `${p.severity} ${p.ruleId} at ${p.location[0]?.pointer}`)).toEqual([
      // Liveness and readiness are public and take no input: no 4xx answer exists to document.
      'warn operation-4xx-response at #/paths/~1health/get/responses',
      'warn operation-4xx-response at #/paths/~1health~1ready/get/responses',
    ]);
    expect(totals).toMatchObject({ errors: 0, warnings: 2 });
  }, 120_000);

  it('names its servers and its license', async () => {
    const { servers, info } = await doc();
    expect(servers).toEqual([{ url: '/' }]);
    expect(info.license).toEqual({ name: 'MIT', identifier: 'MIT' });
  });

  it('lists the error answers of every operation, each with the codes it can carry', async () => {
    const { paths, components } = await doc();
    const codes = (path: string, verb: string, status: number) =>
      paths[path]?.[verb]?.responses[String(status)]?.['x-error-codes'];

    // Every operation may answer a server error; each error answer points at a shared schema.
    for (const [path, operations] of Object.entries(paths)) {
      for (const [verb, operation] of Object.entries(operations)) {
        const serverErrors = Object.keys(operation.responses).filter((s) => Number(s) >= 500);
        expect([path, verb, serverErrors]).toEqual([path, verb, ['500', '503']]);
        for (const [status, answer] of Object.entries(operation.responses)) {
          if (Number(status) < 400) continue;
          const schema = path.startsWith('/warrant/')
            ? 'WarrantError'
            : path === '/tenant'
              ? 'ContemberError'
              : 'Error';
          expect(answer.content['application/json']?.schema).toEqual({ $ref: `#/components/schemas/${schema}` });
          expect(answer['x-error-codes'].length).toBeGreaterThan(0);
          for (const code of answer['x-error-codes']) expect(answer.description).toContain(`\`${code}\``);
        }
      }
    }

    // Derived from the route's inputs, @Auth and path.
    expect(codes('/v1/auth/sign-in', 'post', 400)).toEqual(['invalid_request']);
    expect(codes('/v1/auth/sign-in', 'post', 413)).toEqual(['payload_too_large']);
    expect(codes('/v1/auth/sign-in', 'post', 415)).toEqual(['invalid_request']);
    expect(codes('/v1/users/{userId}', 'get', 401)).toEqual(['unauthorized', 'token_expired', 'token_revoked']);
    expect(codes('/v1/users/{userId}', 'get', 403)).toEqual(['forbidden']);
    expect(codes('/v1/users/{userId}', 'get', 404)).toEqual(['not_found']);
    expect(codes('/v1/auth/sign-out', 'post', 403)).toEqual(['forbidden', 'not_a_person']);
    expect(codes('/v1/sessions/current', 'get', 400)).toBeUndefined();
    expect(codes('/health', 'get', 401)).toBeUndefined();
    expect(codes('/v1/users', 'get', 413)).toBeUndefined();
    expect(codes('/health/ready', 'get', 503)).toEqual(['service_unavailable']);

    // Declared by the route's @Errors.
    const tokens = ['unauthorized', 'token_expired', 'token_revoked'];
    expect(codes('/v1/auth/sign-in', 'post', 401)).toEqual([...tokens, 'invalid_credentials', 'invalid_otp']);
    expect(codes('/v1/auth/sign-in', 'post', 403)).toEqual(['forbidden', 'user_disabled', 'email_not_verified']);
    expect(codes('/v1/auth/sign-in', 'post', 429)).toEqual(['too_many_requests']);
    const changePassword403 = ['forbidden', 'not_a_person', 'invalid_credentials'];
    expect(codes('/v1/auth/change-password', 'post', 403)).toEqual(changePassword403);
    expect(codes('/v1/auth/change-password', 'post', 429)).toEqual(['too_many_requests']);
    expect(codes('/v1/self-service/exchange', 'post', 401)).toEqual(tokens);
    expect(codes('/v1/self-service/exchange', 'post', 403)).toEqual(['user_disabled', 'missing_permission']);
    expect(codes('/v1/self-service/exchange', 'post', 429)).toEqual(['too_many_requests']);
    expect(codes('/v1/sessions', 'post', 403)).toEqual(['forbidden', 'user_disabled', 'missing_permission']);
    expect(codes('/v1/sessions', 'post', 404)).toEqual(['not_found']);
    expect(codes('/v1/users', 'post', 409)).toEqual(['duplicate_record']);
    expect(codes('/v1/users/{userId}', 'patch', 409)).toEqual(['duplicate_record']);
    expect(codes('/v1/tenants', 'post', 409)).toEqual(['duplicate_record']);

    // Warrant's routes answer Warrant's codes for a bad request.
    // A duplicate is Warrant's 400, not 409.
    expect(codes('/warrant/v1/users', 'post', 400)).toEqual([
      'missing_required_parameter',
      'invalid_parameter',
      'duplicate_record',
    ]);
    expect(codes('/warrant/v1/users', 'post', 409)).toBeUndefined();
    expect(codes('/warrant/v1/users', 'post', 415)).toEqual(['invalid_parameter']);
    expect(components.schemas.WarrantError?.properties.code?.enum).toContain('invalid_parameter');
    expect(components.schemas.WarrantError?.properties.code?.enum).not.toContain('invalid_request');
    expect(Object.keys(components.schemas.WarrantError?.properties ?? {})).toEqual(
      expect.arrayContaining(['parameter', 'type', 'key']),
    );
    expect(components.schemas.Error?.properties.code?.enum).toContain('invalid_request');

    // Contember's /tenant answers its errors as `{"errors": [{code, message}]}`; the codes name the causes.
    expect(codes('/tenant', 'post', 401)).toEqual(tokens);
    expect(codes('/tenant', 'post', 413)).toEqual(['payload_too_large']);
    expect(components.schemas.ContemberError?.properties.errors).toBeDefined();
  });

  it('documents the error answers the server really gives', async () => {
    const { paths } = await doc();
    const email = uniqueEmail();
    await t.server.admin.users.create({ email, password: PASSWORD });
    const json = { 'content-type': 'application/json' };
    const admin = { authorization: `ApiKey ${t.server.rootKey}`, ...json };
    const post = (body: unknown, headers: Record<string, string> = json): RequestInit => ({
      method: 'POST',
      headers,
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const cases: [template: string, path: string, init: RequestInit][] = [
      ['/v1/users/{userId}', '/v1/users/someone', {}],
      ['/v1/users/{userId}', '/v1/users/nobody-here', { headers: admin }],
      ['/v1/users', '/v1/users', post({ email }, admin)],
      ['/v1/auth/sign-out', '/v1/auth/sign-out', post({}, admin)],
      ['/v1/auth/sign-in', '/v1/auth/sign-in', post({ email, password: 'wrong' })],
      ['/v1/auth/sign-in', '/v1/auth/sign-in', post({ email: 'x'.repeat(70_000) })],
      ['/v1/auth/sign-in', '/v1/auth/sign-in', post('<a/>', { 'content-type': 'application/xml' })],
      ['/v1/sessions', '/v1/sessions', post({ type: 'sess', userId: 'nobody-here' }, admin)],
      ['/v1/self-service/exchange', '/v1/self-service/exchange', post({ code: 'nope' })],
      ['/warrant/v1/users', '/warrant/v1/users', post({ email: 5 }, admin)],
    ];
    const seen: string[] = [];
    for (const [template, path, init] of cases) {
      const response = await fetch(`${t.server.url}${path}`, init);
      const { code } = (await response.json()) as { code: string };
      const verb = (init.method ?? 'GET').toLowerCase();
      const documented = paths[template]?.[verb]?.responses[String(response.status)]?.['x-error-codes'] ?? [];
      const verdict = documented.includes(code) ? 'documented' : 'missing';
      seen.push(`${verb} ${template} ${response.status} ${code} ${verdict}`);
    }
    expect(seen).toEqual([
      'get /v1/users/{userId} 401 unauthorized documented',
      'get /v1/users/{userId} 404 not_found documented',
      'post /v1/users 409 duplicate_record documented',
      'post /v1/auth/sign-out 403 not_a_person documented',
      'post /v1/auth/sign-in 401 invalid_credentials documented',
      'post /v1/auth/sign-in 413 payload_too_large documented',
      'post /v1/auth/sign-in 415 invalid_request documented',
      'post /v1/sessions 404 not_found documented',
      'post /v1/self-service/exchange 401 unauthorized documented',
      'post /warrant/v1/users 400 invalid_parameter documented',
    ]);
  });
});
