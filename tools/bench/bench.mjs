#!/usr/bin/env node
// `npm run bench`: Tessera against the ceiling of its framework, on this machine.
// Server on core 0, this load generator on core 1 (where taskset exists). SQLite by default;
// BENCH_DATABASE_URL=postgres://… runs the Tessera scenarios on PostgreSQL too.
// `--smoke` (npm test): a second per scenario on a small data set, no restarts between rounds, and
// the targets shown without a verdict.
// BENCH_SECONDS, BENCH_SCALE: length of a scenario and size of the data set.
// BENCH_ROUNDS=3: each ratio scenario runs that many times, each round on freshly started servers,
// the round with the median ratio shown.
// BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=prof': more node flags for the Tessera server (profiling).
// Both servers get apps/api/node-flags.json, the flags `npm start` runs Tessera with.
// The targets (docs/performance.md) are printed beside the figures; a missed one does not fail the run.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { hash } from '@node-rs/argon2';
import Database from 'better-sqlite3';
import pg from 'pg';
import {
  NODE_FLAGS,
  ROOT,
  TASKSET,
  api,
  load as loadFor,
  memory,
  onCore0,
  pinToCore1,
  startServer,
  startTessera,
} from './lib.mjs';

const SMOKE = process.argv.includes('--smoke');
const SECONDS = Number(process.env.BENCH_SECONDS ?? (SMOKE ? 1 : 10));
const SCALE = SMOKE ? 0.01 : Number(process.env.BENCH_SCALE ?? 1);
const ROUNDS = SMOKE ? 1 : Math.max(1, Math.floor(Number(process.env.BENCH_ROUNDS ?? 1)));
/** Node flags for the Tessera server beyond node-flags.json. */
const NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);

/**
 * What users will see, as ratios to the ceiling in the same run (sign-in: to the bare hash rate).
 * `check` is the check scenario (b); the memory target holds on every database.
 */
const TARGETS = {
  sqlite: { validateSpread: 0.35, check: 0.22, mixed: 0.22 },
  postgres: { validateSpread: 0.25, mixed: 0.18 },
  signIn: 0.85,
  rssMb: 250,
  /** "Flat": the last of three runs of a load at most this far above the first. */
  rssGrowthMb: 10,
};

pinToCore1();

/** A load of this run's scenario length unless told otherwise. */
const load = (url, opts = {}) => loadFor(url, { seconds: SECONDS, ...opts });
const log = (line) => process.stdout.write(`${line}\n`);

/**
 * The ceiling, measured right before and right after `scenario` (half the time each): on a shared
 * machine the bare route's rate moves by 2-3× within minutes, so a ratio to a ceiling measured
 * once at the start says more about the neighbours than about Tessera. `ceilingRate(seconds)` is
 * the bare rate: the ceiling app's for HTTP scenarios, the bare hash's for sign-in.
 *
 * Every round starts on fresh processes (`fresh`: Tessera and the ceiling app restarted, each
 * warmed up for a second): on this VM one process can run up to 2× slower than an identical one
 * started beside it, for its whole life, so a figure from one process is partly that process's
 * luck (much of it was V8's allocation-site pretenuring, now off in node-flags.json; not all).
 * With BENCH_ROUNDS > 1 the round with the median ratio is kept, with the highest peak RSS of all
 * its rounds' processes (the memory target is about the worst process, not the median).
 */
async function bracketed(ceilingRate, scenario, fresh) {
  const half = Math.max(1, SECONDS / 2);
  const rounds = [];
  const ratio = (r) => r.requests.average / r.ceiling;
  for (let round = 0; round < ROUNDS; round++) {
    await fresh();
    const before = await ceilingRate(half);
    const result = await scenario();
    result.ceiling = (before + (await ceilingRate(half))) / 2;
    rounds.push(result);
    if (ROUNDS > 1)
      log(
        `  round ${round + 1}/${ROUNDS}: ${ratio(result).toFixed(3)} × ceiling, server peak RSS ${Math.round(result.peakRssMb)} MB`,
      );
  }
  const median = [...rounds].sort((a, b) => ratio(a) - ratio(b))[Math.floor(rounds.length / 2)];
  return { ...median, peakRssMb: Math.max(...rounds.map((r) => r.peakRssMb)) };
}

/** A row that is not an autocannon run: only the columns it names are filled. */
const plainRow = (scenario, fields) => ({
  scenario,
  reqPerSec: null,
  p50: null,
  p99: null,
  errors: 0,
  serverPeakRssMb: null,
  cpuUs: null,
  ceiling: null,
  vsCeiling: null,
  target: '',
  note: '',
  ...fields,
});

/** The target beside a figure: with a ✓ or ✗, except in a smoke run (too short to judge). */
const verdict = (text, met) => (SMOKE ? text : `${text} ${met ? '✓' : '✗'}`);
/** A row's ratio to its ceiling against a minimum. */
const atLeast = (minimum) => (r) => verdict(`≥ ${minimum}`, r.vsCeiling >= minimum);
/** Server memory over three runs of a load: below the target, and flat. */
const rssTarget = (peakMb, runs) =>
  verdict(`≤ ${TARGETS.rssMb} MB, flat`, peakMb <= TARGETS.rssMb && runs.at(-1) - runs[0] <= TARGETS.rssGrowthMb);

function row(name, result, pid, note = '', target) {
  const rps = result.requests.average;
  const r = {
    scenario: name,
    reqPerSec: Math.round(rps),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    serverPeakRssMb: Math.round(result.peakRssMb ?? memory(pid).peak),
    cpuUs: result.cpuUsPerRequest === undefined ? null : Math.round(result.cpuUsPerRequest),
    ceiling: result.ceiling === undefined ? null : Math.round(result.ceiling),
    vsCeiling: result.ceiling ? Number((rps / result.ceiling).toFixed(3)) : null,
    note,
  };
  return { ...r, target: target ? target(r) : '' };
}

/** Set-based seeding in the database itself: millions of rows in seconds, no per-row round trips. */
class Seeder {
  constructor(kind, target) {
    this.kind = kind;
    this.target = target;
  }

  static async open(kind, target) {
    const s = new Seeder(kind, target);
    if (kind === 'sqlite') {
      s.db = new Database(target);
      s.db.pragma('busy_timeout = 10000');
    } else {
      s.db = new pg.Client({ connectionString: target });
      await s.db.connect();
    }
    return s;
  }

  /** INSERT … SELECT over the integers 0..n-1 (`i`), in the database. */
  async series(n, insert, select) {
    const started = Date.now();
    process.stdout.write(
      `  seeding ${insert.split('(')[0].trim().replace('INSERT INTO ', '')}: ${n.toLocaleString()} rows…`,
    );
    if (this.kind === 'sqlite') {
      this.db.exec(
        `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${n - 1}) ${insert} ${select} FROM n`,
      );
    } else {
      await this.db.query(`${insert} ${select} FROM generate_series(0, ${n - 1}) AS n(i)`);
    }
    process.stdout.write(` ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  }

  /**
   * What a database that has been running a while looks like after a bulk load: fresh statistics,
   * and no bulk-load debris on the read path (SQLite: the WAL folded into the file; PostgreSQL:
   * the visibility map set, so index-only scans work and no reader pays to set hint bits, and the
   * dirty pages written).
   */
  async settle() {
    if (this.kind === 'sqlite') this.db.exec('ANALYZE; PRAGMA wal_checkpoint(TRUNCATE)');
    else {
      await this.db.query('VACUUM ANALYZE');
      // Write the load's dirty pages out now, not in a timed checkpoint during the measurements.
      await this.db.query('CHECKPOINT').catch((error) => log(`  (no CHECKPOINT: ${error.message})`));
    }
  }

  async close() {
    if (this.kind === 'sqlite') this.db.close();
    else await this.db.end();
  }
}

/**
 * The fastest this core verifies passwords: one verification per core at a time, as the server
 * runs them (more at once only evict one another from the caches: about 15 % slower).
 */
async function argon2Rate(seconds) {
  const script = `
    import { availableParallelism } from 'node:os';
    import { hash, verify } from '@node-rs/argon2';
    const o = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 };
    const h = await hash('correct horse battery staple', o);
    let n = 0; const end = Date.now() + ${seconds * 1000};
    const lanes = Array.from({ length: availableParallelism() }, async () => { while (Date.now() < end) { await verify(h, 'correct horse battery staple'); n++; } });
    await Promise.all(lanes);
    console.log('RATE ' + n / ${seconds});`;
  const [cmd, argv] = onCore0(['--input-type=module', '-e', script]);
  const r = spawnSync(cmd, argv, { cwd: ROOT, encoding: 'utf8' });
  return Number(/RATE ([\d.]+)/.exec(r.stdout)?.[1] ?? 0);
}

/** The ceiling app, started anew (and warmed up for a second) by `restart`. */
class Ceiling {
  server = undefined;

  async restart() {
    await this.stop();
    this.server = await startServer(
      [...NODE_FLAGS, join(ROOT, 'tools/bench/ceiling.mjs')],
      {},
      /CEILING (http:\/\/[\d.:]+)/,
    );
    await load(this.server.url, { seconds: 1 });
  }

  async stop() {
    await this.server?.stop();
    this.server = undefined;
  }
}

async function main() {
  const mainJs = join(ROOT, 'apps/api/dist/main.js');
  if (!existsSync(mainJs)) throw new Error('apps/api/dist is missing: run `npm run build` first');
  log(
    `Tessera bench: ${SECONDS} s per scenario${ROUNDS > 1 ? ` (median of ${ROUNDS} rounds)` : ''}, data scale ${SCALE}, ${TASKSET ? 'server on core 0, load on core 1' : 'no taskset: server and load share the cores'}`,
  );
  log(`machine: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}, Node ${process.version}`);
  const rows = [];

  // The ceiling: measured once on its own, then again around every throughput scenario (restarted
  // for each round, like Tessera). It idles on core 0 while Tessera is measured.
  const ceiling = new Ceiling();
  await ceiling.restart();
  try {
    const ceilingResult = await load(ceiling.server.url, { pid: ceiling.server.pid });
    ceilingResult.ceiling = ceilingResult.requests.average;
    rows.push(row('ceiling: bare NestJS + Fastify GET', ceilingResult, ceiling.server.pid));

    const databases = [{ kind: 'sqlite' }];
    if (process.env.BENCH_DATABASE_URL) databases.push({ kind: 'postgres', url: process.env.BENCH_DATABASE_URL });
    for (const database of databases) rows.push(...(await benchTessera(database, ceiling)));
  } finally {
    await ceiling.stop();
  }

  // The bare hash rate was measured around each sign-in scenario: its ceiling column.
  const bare = rows.filter((r) => r.scenario.includes('sign-in') && r.ceiling !== null).map((r) => r.ceiling);
  rows.push(
    plainRow('bare argon2id verify (same parameters), one per core', {
      reqPerSec: Math.round((bare.reduce((a, b) => a + b, 0) / bare.length) * 10) / 10,
      note: 'mean of the sign-in ceilings',
    }),
  );

  print(rows);
  save(rows);
}

async function benchTessera(database, ceiling) {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-'));
  const rootKey = `tsk_bench_${randomBytes(24).toString('base64url')}`;
  let databaseUrl = `sqlite:${join(dir, 'tessera.sqlite')}`;
  let schema;
  if (database.kind === 'postgres') {
    schema = `bench_${randomBytes(4).toString('hex')}`;
    const c = new pg.Client({ connectionString: database.url });
    await c.connect();
    await c.query(`CREATE SCHEMA ${schema}`);
    await c.end();
    const u = new URL(database.url);
    u.searchParams.set('options', `-c search_path=${schema}`);
    databaseUrl = u.toString();
  }
  const label = (s) => `${s} [${database.kind}]`;
  const targets = TARGETS[database.kind];
  const ceilingRate = async (seconds) => (await load(ceiling.server.url, { seconds })).requests.average;
  // One signing key for the whole run: tokens issued before a restart stay valid after it.
  const jwtSecret = randomBytes(32).toString('base64url');
  const start = (env = {}) => startTessera(NODE_ARGS, { dir, databaseUrl, rootKey, jwtSecret, env });
  let server = await start();
  let url = server.url;
  // After a bulk load, measure a server started on the loaded database, as a deployment would run.
  const restart = async (whileStopped = async () => {}, env = {}) => {
    await server.stop();
    await whileStopped();
    server = await start(env);
    url = server.url;
  };
  /**
   * One ratio scenario: `path` loaded with `opts` against `rate`, each round after both servers are
   * started anew and Tessera has had a second of the same load (not in a smoke run: it only shows
   * that the scenario works).
   */
  const measure = (rate, path, opts) => {
    if (ROUNDS > 1) log(`  ${opts.method ?? 'GET'} ${path}:`);
    return bracketed(
      rate,
      () => load(`${url}${path}`, { ...opts, pid: server.pid }),
      async () => {
        if (SMOKE) return;
        await restart();
        await ceiling.restart();
        await load(`${url}${path}`, { ...opts, seconds: 1 });
      },
    );
  };
  const rows = [];
  const seedTarget = database.kind === 'sqlite' ? join(dir, 'tessera.sqlite') : databaseUrl;
  /**
   * Bulk loads into the database with Tessera stopped (it holds its SQLite file alone), then a
   * server started on the loaded database, as a deployment would run.
   */
  const seedOffline = (work) =>
    restart(async () => {
      const seeder = await Seeder.open(database.kind, seedTarget);
      try {
        await work(seeder);
        await seeder.settle();
      } finally {
        await seeder.close();
      }
    });
  const SESSION_COLUMNS =
    'INSERT INTO sessions (id, user_id, type, tenant_id, impersonator_id, secret_hash, expiration, created_at, last_used_at, expires_at, absolute_expires_at, revoked_at, ip, user_agent)';
  const now = Date.now();
  const far = now + 30 * 24 * 3600_000;
  const liveSessions = (id, userId) =>
    `SELECT ${id}, ${userId}, 'user', NULL, NULL, '${'0'.repeat(64)}', 1800, ${now}, ${now}, ${far}, ${far}, NULL, NULL, NULL`;
  const SIGN_OUTS = SMOKE ? 10 : 50;
  const password = 'correct horse battery staple';
  try {
    const TENANTS = Math.max(100, Math.round(10_000 * SCALE));
    const USERS = Math.max(1000, Math.round(100_000 * SCALE));
    const ROLES = 50;
    log(
      `\n${database.kind}: seeding ${TENANTS.toLocaleString()} tenants, ${USERS.toLocaleString()} users, ${(USERS * 10).toLocaleString()} grants`,
    );
    await seedOffline(async (seeder) => {
      await seeder.series(
        TENANTS,
        'INSERT INTO tenants (id, name, created_at, updated_at)',
        `SELECT 'bt-' || i, 'Tenant ' || i, ${now}, ${now}`,
      );
      await seeder.series(
        USERS,
        'INSERT INTO users (id, email, password_hash, super_admin, disabled_at, created_at, updated_at)',
        `SELECT 'bu-' || i, 'bu-' || i || '@bench.test', NULL, FALSE, NULL, ${now}, ${now}`,
      );
      await seeder.series(
        ROLES,
        'INSERT INTO roles (id, name, description, created_at, updated_at)',
        `SELECT 'br-' || i, NULL, NULL, ${now}, ${now}`,
      );
      await seeder.series(
        ROLES * 20,
        'INSERT INTO permissions (id, name, description, created_at, updated_at)',
        `SELECT 'bp-' || i, NULL, NULL, ${now}, ${now}`,
      );
      await seeder.series(
        ROLES * 20,
        'INSERT INTO role_permissions (role_id, permission_id)',
        `SELECT 'br-' || (i % ${ROLES}), 'bp-' || i`,
      );
      // Each user is a member of 10 tenants with one role in each: USERS × 10 memberships and grants.
      const membership = `'bt-' || (((i / 10) * 7 + (i % 10) * 1009) % ${TENANTS}), 'bu-' || (i / 10)`;
      await seeder.series(
        USERS * 10,
        'INSERT INTO memberships (tenant_id, user_id, created_at)',
        `SELECT ${membership}, ${now}`,
      );
      await seeder.series(
        USERS * 10,
        'INSERT INTO tenant_role_grants (tenant_id, user_id, role_id)',
        `SELECT ${membership}, 'br-' || ((i / 10 + i % 10) % ${ROLES})`,
      );
      await seeder.series(1000, SESSION_COLUMNS, liveSessions(`'bench-sess-' || i`, `'bu-' || (i % ${USERS})`));
      // The sign-out scenario's users, each with 99 live sessions of its own: the 100th is a sign-in,
      // the only kind of session that may end all of them.
      const passwordHash = await hash(password, { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 });
      const signOutUser = `'bench-signout-' || i, 'signout-' || i || '@bench.test', '${passwordHash}'`;
      await seeder.series(
        SIGN_OUTS,
        'INSERT INTO users (id, email, password_hash, super_admin, disabled_at, created_at, updated_at)',
        `SELECT ${signOutUser}, FALSE, NULL, ${now}, ${now}`,
      );
      await seeder.series(SIGN_OUTS * 99, SESSION_COLUMNS, liveSessions(`'so-' || i`, `'bench-signout-' || (i / 99)`));
    });

    // The bench user: a password, 5 roles in one tenant.
    const email = 'bench@bench.test';
    const benchUser = await api(url, '/v1/users', {
      method: 'POST',
      key: rootKey,
      body: { userId: 'bench-user', email, password },
    });
    for (let r = 0; r < 5; r++)
      await api(url, `/v1/tenants/bt-0/users/${benchUser.userId}/roles/br-${r}`, { method: 'PUT', key: rootKey });
    const { token } = await api(url, '/v1/auth/sign-in', { method: 'POST', body: { email, password } });

    // (a) validate.
    const validateOpts = { headers: { authorization: `Bearer ${token}` } };
    const validate = await measure(ceilingRate, '/v1/sessions/current', validateOpts);
    rows.push(row(label('validate GET /v1/sessions/current, 32 conn'), validate, server.pid));
    const rssRuns = [memory(server.pid).rss];
    for (let run = 0; run < 2; run++) {
      await load(`${url}/v1/sessions/current`, validateOpts);
      rssRuns.push(memory(server.pid).rss);
    }

    // (b) check: 10 checks (5 held through the user's roles, 5 not) in the big directory.
    const checks = [
      ...Array.from({ length: 5 }, (_, i) => ({ permission: `bp-${i}`, tenantId: 'bt-0' })),
      ...Array.from({ length: 5 }, (_, i) => ({ permission: `bp-${i + 5}`, tenantId: `bt-${i + 1}` })),
    ];
    const checkBody = JSON.stringify({ userId: benchUser.userId, op: 'anyOf', checks });
    const probe = await api(url, '/v1/check', { method: 'POST', key: rootKey, body: JSON.parse(checkBody) });
    if (!probe.results.slice(0, 5).every(Boolean)) throw new Error(`check set-up is wrong: ${JSON.stringify(probe)}`);
    const checkOpts = { method: 'POST', headers: { authorization: `ApiKey ${rootKey}` }, body: checkBody };
    const check = await measure(ceilingRate, '/v1/check', checkOpts);
    const checkTarget = targets.check ? atLeast(targets.check) : undefined;
    const grants = `${(USERS * 10).toLocaleString()} grants`;
    rows.push(row(label('check POST /v1/check, 10 checks, 32 conn'), check, server.pid, grants, checkTarget));

    // (c) sign-in: the hash is the cost. Its ceiling is the bare hash rate, bracketed like the
    // route's around the other scenarios: this machine's hash rate drifts as much.
    const signInOpts = { method: 'POST', connections: 4, body: JSON.stringify({ email, password }) };
    const signIn = await measure(argon2Rate, '/v1/auth/sign-in', signInOpts);
    // The main thread's share is the work around the hash: HTTP, the session, the audit row.
    const mainThread =
      signIn.mainCpuUsPerRequest > 0 ? `; main thread ${Math.round(signIn.mainCpuUsPerRequest)} µs/req` : '';
    const signInNote = `its ceiling: bare argon2id${mainThread}`;
    const signInLabel = label('sign-in POST /v1/auth/sign-in, 4 conn');
    rows.push(row(signInLabel, signIn, server.pid, signInNote, atLeast(TARGETS.signIn)));

    // (c2) sign-in while one account floods change-password with wrong passwords from another
    // address (X-Forwarded-For, trusted for this server), 32 at a time. The per-client hash queue
    // (TESSERA_PASSWORD_QUEUE_PER_CLIENT) bounds how many of the flood's hashes wait in front of
    // everyone; the 429s it answers past that still cost the server CPU. The account lock is lifted
    // here as in every scenario, so the flood's passwords really are hashed.
    await restart(undefined, { TESSERA_TRUST_PROXY: '1' });
    const flooder = { email: 'flood@bench.test', password };
    await api(url, '/v1/users', { method: 'POST', key: rootKey, body: flooder });
    const { token: floodToken } = await api(url, '/v1/auth/sign-in', { method: 'POST', body: flooder });
    const floodOpts = {
      method: 'POST',
      headers: { authorization: `Bearer ${floodToken}`, 'x-forwarded-for': '198.51.100.7' },
      body: JSON.stringify({ currentPassword: 'a wrong guess', newPassword: 'never to be set' }),
    };
    const alone = await load(`${url}/v1/auth/sign-in`, { ...signInOpts, pid: server.pid });
    rows.push(row(label('sign-in alone (for the flood below), 4 conn'), alone, server.pid));
    const [during, flood] = await Promise.all([
      load(`${url}/v1/auth/sign-in`, signInOpts),
      load(`${url}/v1/auth/change-password`, floodOpts),
    ]);
    const floodAnswers = Object.entries(flood.statusCodeStats ?? {}).map(([status, s]) => `${status} × ${s.count}`);
    const floodNote = `the flood (32 conn): ${floodAnswers.join(', ')}`;
    rows.push(row(label('sign-in during a change-password flood, 4 conn'), during, server.pid, floodNote));

    // (d) sign-out all for a user with 100 live sessions, one at a time (a user of its own each time).
    const latencies = [];
    let signOutErrors = 0;
    for (let k = 0; k < SIGN_OUTS; k++) {
      const signInBody = { email: `signout-${k}@bench.test`, password };
      const { token: t } = await api(url, '/v1/auth/sign-in', { method: 'POST', body: signInBody });
      const started = performance.now();
      const res = await api(url, '/v1/auth/sign-out', { method: 'POST', token: t, body: { all: true } }).catch(
        () => null,
      );
      latencies.push(performance.now() - started);
      if (res?.revoked !== 100) signOutErrors++;
    }
    latencies.sort((a, b) => a - b);
    const pct = (p) =>
      Number(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))].toFixed(2));
    const mean = latencies.reduce((a, b) => a + b, 0) / latencies.length;
    rows.push(
      plainRow(label('sign-out all, 100 live sessions, sequential'), {
        reqPerSec: Math.round(1000 / mean),
        p50: pct(50),
        p99: pct(99),
        errors: signOutErrors,
        serverPeakRssMb: Math.round(memory(server.pid).peak),
        note: `${SIGN_OUTS} sign-outs`,
      }),
    );

    const validatePeak = Math.round(memory(server.pid).peak);
    rows.push(
      plainRow(label('server RSS after 3 validate runs (MB)'), {
        serverPeakRssMb: validatePeak,
        note: rssRuns.map((r) => r.toFixed(0)).join(' → '),
        target: rssTarget(validatePeak, rssRuns),
      }),
    );

    // (f) validate, spread: users each with a session of their own, every request a random one.
    const SPREAD = SMOKE ? 100 : 2000;
    const tokens = await clientSessions(
      url,
      rootKey,
      Array.from({ length: SPREAD }, (_, u) => `bu-${u}`),
    );
    const spreadOpts = { requests: randomRequests(() => validateRequest(pick(tokens))) };
    const spread = await measure(ceilingRate, '/v1/sessions/current', spreadOpts);
    const spreadLabel = label(`validate, spread: ${SPREAD.toLocaleString()} sessions at random, 32 conn`);
    const spreadNote = `${SPREAD.toLocaleString()} users, one session each`;
    rows.push(row(spreadLabel, spread, server.pid, spreadNote, atLeast(targets.validateSpread)));

    // (g) mixed: 85 % validate (a random session of (f)), 10 % check (a random user, ten checks),
    // 5 % grant writes (PUT or DELETE of a role in one of a random user's tenants).
    const directory = { tenants: TENANTS, users: USERS, roles: ROLES };
    const probeUser = Math.floor(USERS / 2);
    const probeBody = JSON.parse(checkBodyOf(directory, probeUser));
    const mixedProbe = await api(url, '/v1/check', { method: 'POST', key: rootKey, body: probeBody });
    if (mixedProbe.results.join() !== [true, true, true, true, true, false, false, false, false, false].join()) {
      throw new Error(`mixed set-up is wrong: ${JSON.stringify(mixedProbe)}`);
    }
    const mixed = mixedLoad(directory, tokens, rootKey);
    const mixedResult = await measure(ceilingRate, '/v1/sessions/current', { requests: mixed.requests });
    const mixedRss = [memory(server.pid).rss];
    for (let run = 0; run < 2; run++) {
      await load(`${url}/v1/sessions/current`, { requests: mixed.requests });
      mixedRss.push(memory(server.pid).rss);
    }
    const total = Object.values(mixed.sent).reduce((a, b) => a + b);
    const sent = Object.entries(mixed.sent).map(([kind, n]) => `${kind} ${((100 * n) / total).toFixed(1)} %`);
    const mixedLabel = label('mixed: 85 % validate, 10 % check, 5 % grant writes, 32 conn');
    rows.push(row(mixedLabel, mixedResult, server.pid, `sent: ${sent.join(', ')}`, atLeast(targets.mixed)));
    // The memory target is about the worst process of this database's scenarios.
    const peaks = rows.filter((r) => r.scenario.endsWith(`[${database.kind}]`)).map((r) => r.serverPeakRssMb ?? 0);
    const worstPeak = Math.round(Math.max(memory(server.pid).peak, ...peaks));
    rows.push(
      plainRow(label('server RSS after 3 mixed runs (MB)'), {
        serverPeakRssMb: worstPeak,
        note: `${mixedRss.map((r) => r.toFixed(0)).join(' → ')}; peak: the worst of all ${database.kind} scenarios`,
        target: rssTarget(worstPeak, mixedRss),
      }),
    );

    // (e) validate with a million sessions in the table.
    const SESSIONS = Math.max(10_000, Math.round(1_000_000 * SCALE));
    await seedOffline((seeder) =>
      seeder.series(SESSIONS, SESSION_COLUMNS, liveSessions(`'big-sess-' || i`, `'bu-' || (i % ${USERS})`)),
    );
    const validateBig = await measure(ceilingRate, '/v1/sessions/current', validateOpts);
    // Compared as ratios to their own ceilings, so that a busier minute on the machine does not count.
    rows.push(
      row(
        label(`validate with ${SESSIONS.toLocaleString()} sessions`),
        validateBig,
        server.pid,
        `${(validateBig.requests.average / validateBig.ceiling / (validate.requests.average / validate.ceiling)).toFixed(2)} × validate with 1k`,
      ),
    );
  } finally {
    await server.stop();
    if (schema) {
      const c = new pg.Client({ connectionString: database.url });
      await c.connect();
      await c.query(`DROP SCHEMA ${schema} CASCADE`);
      await c.end();
    }
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

/** Client sessions (Warrant's "sess") for these users, made by the API, a few at a time. */
async function clientSessions(url, rootKey, userIds) {
  const tokens = [];
  for (let i = 0; i < userIds.length; i += 8) {
    const batch = userIds
      .slice(i, i + 8)
      .map((userId) => api(url, '/v1/sessions', { method: 'POST', key: rootKey, body: { type: 'sess', userId } }));
    for (const { token } of await Promise.all(batch)) tokens.push(token);
  }
  return tokens;
}

const pick = (items) => items[Math.floor(Math.random() * items.length)];
const validateRequest = (token) => ({
  method: 'GET',
  path: '/v1/sessions/current',
  headers: { authorization: `Bearer ${token}` },
});

/** Autocannon requests, each one `next()`'s: a path, method, headers and body picked per request. */
const randomRequests = (next) => [{ setupRequest: (request) => ({ ...request, body: undefined, ...next() }) }];

/** The k-th (0..9) of the ten seeded tenants of user `bu-<u>`, where it holds role br-<(u + k) % roles>. */
const tenantOf = ({ tenants }, u, k) => `bt-${(u * 7 + k * 1009) % tenants}`;

/** Ten checks for user `bu-<u>`: five held through its seeded roles, five not. */
function checkBodyOf(directory, u) {
  const checks = Array.from({ length: 10 }, (_, k) => ({
    permission: `bp-${(u + k + (k < 5 ? 0 : 25)) % directory.roles}`,
    tenantId: tenantOf(directory, u, k),
  }));
  return JSON.stringify({ userId: `bu-${u}`, op: 'anyOf', checks });
}

/**
 * The mixed load: 85 % validate with a random one of `tokens`, 10 % a check for a random user,
 * 5 % a grant write (PUT or DELETE, both idempotent) of a role the checks do not look at, in one of
 * a random user's tenants. `sent` counts what was sent.
 */
function mixedLoad(directory, tokens, rootKey) {
  const sent = { validate: 0, check: 0, write: 0 };
  const admin = `ApiKey ${rootKey}`;
  const requests = randomRequests(() => {
    const dice = Math.random();
    if (dice < 0.85) {
      sent.validate++;
      return validateRequest(pick(tokens));
    }
    const u = Math.floor(Math.random() * directory.users);
    if (dice < 0.95) {
      sent.check++;
      const headers = { authorization: admin, 'content-type': 'application/json' };
      return { method: 'POST', path: '/v1/check', headers, body: checkBodyOf(directory, u) };
    }
    sent.write++;
    const k = Math.floor(Math.random() * 10);
    const path = `/v1/tenants/${tenantOf(directory, u, k)}/users/bu-${u}/roles/br-${(u + k + 10) % directory.roles}`;
    return { method: Math.random() < 0.5 ? 'PUT' : 'DELETE', path, headers: { authorization: admin } };
  });
  return { requests, sent };
}

const fmt = (v) => (v === null || v === undefined ? '' : typeof v === 'number' ? v.toLocaleString('en-US') : String(v));
const COLUMNS = [
  ['scenario', 'scenario'],
  ['reqPerSec', 'req/s'],
  ['p50', 'p50 ms'],
  ['p99', 'p99 ms'],
  ['errors', 'errors'],
  ['serverPeakRssMb', 'server peak RSS MB'],
  ['cpuUs', 'server CPU µs/req'],
  ['ceiling', 'ceiling req/s next to it'],
  ['vsCeiling', '× ceiling'],
  ['target', 'target'],
  ['note', 'note'],
];

function markdown(rows) {
  const head = `| ${COLUMNS.map(([, h]) => h).join(' | ')} |\n|${COLUMNS.map(() => '---').join('|')}|`;
  return `${head}\n${rows.map((r) => `| ${COLUMNS.map(([k]) => fmt(r[k])).join(' | ')} |`).join('\n')}`;
}

function print(rows) {
  const cells = [COLUMNS.map(([, h]) => h), ...rows.map((r) => COLUMNS.map(([k]) => fmt(r[k])))];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((c) => c[i].length)));
  log('');
  for (const [n, c] of cells.entries()) {
    log(c.map((v, i) => (i === 0 || i === c.length - 1 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  '));
    if (n === 0) log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
}

function save(rows) {
  const out = join(ROOT, 'bench/results');
  mkdirSync(out, { recursive: true });
  const meta = {
    at: new Date().toISOString(),
    smoke: SMOKE,
    seconds: SECONDS,
    rounds: ROUNDS,
    scale: SCALE,
    pinned: TASKSET,
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    node: process.version,
  };
  const name = SMOKE ? 'smoke' : 'latest';
  writeFileSync(join(out, `${name}.json`), `${JSON.stringify({ ...meta, rows }, null, 2)}\n`);
  writeFileSync(
    join(out, `${name}.md`),
    `Run ${meta.at} on ${meta.cpu} × ${meta.cores}, Node ${meta.node}, ${SECONDS} s per scenario${ROUNDS > 1 ? `, median of ${ROUNDS} rounds` : ''}${TASKSET ? ', server on core 0, load on core 1' : ''}.\n\n${markdown(rows)}\n`,
  );
  log(`\nwritten: bench/results/${name}.json and .md`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
