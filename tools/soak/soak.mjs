#!/usr/bin/env node
// `npm run soak`: a bounded run of mixed traffic (sign-in, validate, check, sign-out) against a
// real Tessera process on 127.0.0.1. Reports requests, errors, p50/p99 and server memory at the
// start and the end; exits 1 on any error. `--seconds N` (default 60); SOAK_DATABASE_URL for PostgreSQL.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBuiltApi } from '../scripts/api-process.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const SECONDS = arg('--seconds', 60);
const WORKERS = arg('--workers', 8);
const USERS = 20;
const PASSWORD = 'correct horse battery staple';

const rss = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

async function start() {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-soak-'));
  const rootKey = `tsk_soak_${randomBytes(24).toString('base64url')}`;
  const api = await startBuiltApi({
    env: {
      TESSERA_DATA_DIR: dir,
      TESSERA_JWT_SECRET: randomBytes(32).toString('base64url'),
      TESSERA_ROOT_API_KEY: rootKey,
      // One client address plays many users: lift the per-IP sign-in budget for it.
      TESSERA_SIGN_IN_IP_LIMIT: '1000000',
      ...(process.env.SOAK_DATABASE_URL ? { DATABASE_URL: process.env.SOAK_DATABASE_URL } : {}),
    },
  });
  return { url: api.url, pid: api.pid, stop: api.stop, rootKey, dir };
}

async function call(url, path, { method = 'GET', token, key, body } = {}) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (key) headers.authorization = `ApiKey ${key}`;
  const response = await fetch(`${url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

const server = await start();
const { url, rootKey } = server;
try {
  await call(url, '/v1/tenants', { method: 'POST', key: rootKey, body: { tenantId: 'soak', name: 'Soak' } });
  const emails = [];
  for (let i = 0; i < USERS; i++) {
    const email = `soak-${i}@example.test`;
    const user = await call(url, '/v1/users', {
      method: 'POST',
      key: rootKey,
      body: { userId: `soak-${i}`, email, password: PASSWORD },
    });
    if (user.status !== 201) throw new Error(`set-up failed: ${JSON.stringify(user)}`);
    await call(url, `/v1/tenants/soak/users/soak-${i}/roles/admin`, { method: 'PUT', key: rootKey });
    emails.push(email);
  }

  const latencies = [];
  const problems = new Map();
  let requests = 0;
  const note = (what) => problems.set(what, (problems.get(what) ?? 0) + 1);
  const timed = async (what, expect, fn) => {
    const started = performance.now();
    try {
      const r = await fn();
      latencies.push(performance.now() - started);
      requests++;
      if (!expect.includes(r.status)) note(`${what} → ${r.status} ${r.body?.code ?? ''}`);
      return r;
    } catch (error) {
      requests++;
      note(`${what} → ${error.message}`);
      return null;
    }
  };

  const startRss = rss(server.pid);
  const deadline = Date.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: WORKERS }, async (_, w) => {
      let token;
      let n = 0;
      while (Date.now() < deadline) {
        n++;
        const email = emails[(w + n) % emails.length];
        if (!token || n % 50 === 0) {
          const r = await timed('sign-in', [201], () =>
            call(url, '/v1/auth/sign-in', { method: 'POST', body: { email, password: PASSWORD } }),
          );
          token = r?.body?.token;
          continue;
        }
        if (n % 7 === 0) {
          await timed('check', [200], () =>
            call(url, '/v1/check', {
              method: 'POST',
              token,
              body: {
                checks: [
                  { permission: 'view-self-service-dashboard', tenantId: 'soak' },
                  { role: 'admin', tenantId: 'soak' },
                ],
              },
            }),
          );
        } else if (n % 49 === 0) {
          await timed('sign-out', [200], () => call(url, '/v1/auth/sign-out', { method: 'POST', token }));
          token = undefined;
        } else {
          await timed('validate', [200], () => call(url, '/v1/sessions/current', { token }));
        }
      }
    }),
  );
  const endRss = rss(server.pid);
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]?.toFixed(1);
  const errors = [...problems.values()].reduce((a, b) => a + b, 0);
  console.log(`soak: ${SECONDS} s, ${WORKERS} workers, ${requests} requests (${Math.round(requests / SECONDS)}/s)`);
  console.log(
    `latency p50 ${pct(50)} ms, p99 ${pct(99)} ms; server RSS ${startRss.toFixed(0)} MB at start, ${endRss.toFixed(0)} MB at the end`,
  );
  console.log(`errors: ${errors}`);
  for (const [what, count] of problems) console.log(`  ${count} × ${what}`);
  process.exitCode = errors > 0 ? 1 : 0;
} finally {
  await server.stop();
  rmSync(server.dir, { recursive: true, force: true });
}
