#!/usr/bin/env node
// A/B of builds on this machine: is a change faster? Bench tables from different hours cannot say
// (the same build moves 20-40 % between them here), and neither can one process per build (two
// identical processes can differ for their whole life). So this starts fresh processes of each
// build in turn (every other round in reverse), on core 0, loads each with the same short
// scenarios from core 1, and compares the medians of the server's CPU per request.
//
//   npm run build && node tools/bench/ab.mjs --save before     (copies apps/api/dist aside)
//   … change, npm run build …
//   node tools/bench/ab.mjs before current --rounds 6 --seconds 3 --scenarios health,validate,check,signin
//
// A build is a name saved with --save, or `current` (apps/api/dist as it is); `name+--flag,--flag`
// runs it with more node flags. `--alloc` also samples what each request allocates (V8's sampling
// heap profiler, collected objects included): a figure that moves far less with the neighbours
// (the sampling itself costs several times the request, so read CPU from a run without it).
// The data set is small (one user with 5 roles, 10 checks in 6 tenants): for the cost of a request,
// not of a big directory, which `npm run bench` measures. SQLite, or with `--postgres <url>` a
// schema of its own on that PostgreSQL for every process.
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { ROOT, SERVER_FLAGS, TEN_CHECKS, api, load, option, pinToCore1, startTessera, stop } from './lib.mjs';

// Under node_modules, where the build's packages resolve and lint and git do not look.
const SAVED = join(ROOT, 'apps/api/node_modules/.ab');
const DIST = join(ROOT, 'apps/api/dist');

if (option('--save') !== undefined) {
  const name = option('--save');
  rmSync(join(SAVED, name), { recursive: true, force: true });
  cpSync(DIST, join(SAVED, name), { recursive: true });
  console.log(`saved apps/api/dist as ${name}`);
  process.exit(0);
}

pinToCore1();

const ROUNDS = Number(option('--rounds', 6));
const SECONDS = Number(option('--seconds', 3));
const SCENARIOS = option('--scenarios', 'health,validate,check').split(',');
const ALLOC = process.argv.includes('--alloc');
const ALLOC_SWITCH = join(tmpdir(), `tessera-ab-alloc-${process.pid}`);
const POSTGRES = option('--postgres');
const valued = new Set(['--rounds', '--seconds', '--scenarios', '--postgres']);
const builds = process.argv
  .slice(2)
  .filter((a, i, all) => !a.startsWith('--') && !valued.has(all[i - 1]))
  .map((spec) => {
    const [name, flags = ''] = spec.split('+');
    const main = join(name === 'current' ? DIST : join(SAVED, name), 'main.js');
    if (!existsSync(main)) throw new Error(`no build ${name}: save one with --save ${name}`);
    return { label: spec, main, flags: flags.split(',').filter(Boolean) };
  });
if (builds.length === 0) throw new Error('name the builds to compare: node tools/bench/ab.mjs before current');

const PASSWORD = 'correct horse battery staple';

/** Runs one statement on the --postgres database. */
async function onPostgres(sql) {
  const client = new pg.Client({ connectionString: POSTGRES });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Where a fresh process keeps its data: an SQLite file in `dir`, or a new PostgreSQL schema. */
async function database(dir) {
  if (POSTGRES === undefined) return { url: `sqlite:${join(dir, 'tessera.sqlite')}`, drop: async () => undefined };
  const schema = `ab_${randomBytes(4).toString('hex')}`;
  await onPostgres(`CREATE SCHEMA ${schema}`);
  const url = new URL(POSTGRES);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return { url: url.toString(), drop: () => onPostgres(`DROP SCHEMA ${schema} CASCADE`) };
}

/** A fresh Tessera of `build` on a database of its own, with the directory the scenarios ask about. */
async function serve(build) {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-ab-'));
  const key = `tsk_ab_${randomBytes(24).toString('base64url')}`;
  const probe = ALLOC ? [`--import=${join(ROOT, 'tools/bench/alloc-probe.mjs')}`] : [];
  const db = await database(dir);
  let server;
  try {
    server = await startTessera([...SERVER_FLAGS, ...build.flags, ...probe, build.main], {
      dir,
      databaseUrl: db.url,
      rootKey: key,
      env: { TESSERA_AB_ALLOC_SWITCH: ALLOC_SWITCH },
    });
    return { server, dir, db, scenarios: await seed(server.url, key) };
  } catch (error) {
    if (server) await stop(server);
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** The directory the scenarios ask about, made through the API; the scenarios' requests. */
async function seed(url, key) {
  const call = (path, method, body) => api(url, path, { method, key, body });
  for (let t = 0; t < 7; t++) await call('/v1/tenants', 'POST', { tenantId: `t${t}`, name: `Tenant ${t}` });
  for (let p = 0; p < 10; p++) await call('/v1/permissions', 'POST', { permissionId: `p${p}` });
  for (let r = 0; r < 5; r++) {
    await call('/v1/roles', 'POST', { roleId: `r${r}` });
    await call(`/v1/roles/r${r}/permissions/p${r}`, 'PUT');
  }
  await call('/v1/users', 'POST', { userId: 'ada', email: 'ada@ab.test', password: PASSWORD });
  for (let r = 0; r < 5; r++) await call(`/v1/tenants/t0/users/ada/roles/r${r}`, 'PUT');
  const { token } = await api(url, '/v1/auth/sign-in', { method: 'POST', body: { email: 'ada@ab.test', password: PASSWORD } });
  return {
    health: { path: '/health', opts: {} },
    validate: { path: '/v1/sessions/current', opts: { headers: { authorization: `Bearer ${token}` } } },
    check: { path: '/v1/check', opts: { method: 'POST', headers: { authorization: `ApiKey ${key}` }, body: JSON.stringify({ userId: 'ada', op: 'anyOf', checks: TEN_CHECKS }) } },
    signin: { path: '/v1/auth/sign-in', opts: { method: 'POST', connections: 4, body: JSON.stringify({ email: 'ada@ab.test', password: PASSWORD }) } },
  };
}

/** Bytes the server allocated a request over one load, from the probe's sampled heap profile. */
async function allocated(run) {
  const out = `${ALLOC_SWITCH}.json`;
  rmSync(out, { force: true });
  writeFileSync(ALLOC_SWITCH, '');
  await new Promise((r) => setTimeout(r, 200));
  const result = await run();
  rmSync(ALLOC_SWITCH);
  for (let wait = 0; wait < 100 && !existsSync(out); wait++) await new Promise((r) => setTimeout(r, 100));
  const sum = (node) => node.selfSize + (node.children ?? []).reduce((total, child) => total + sum(child), 0);
  result.bytesPerRequest = sum(JSON.parse(readFileSync(out, 'utf8')).head) / result.requests.total;
  rmSync(out);
  return result;
}

const figures = new Map(builds.map((b) => [b.label, {}]));
const keep = (build, key, value) => ((figures.get(build.label)[key] ??= []).push(value));
for (let round = 1; round <= ROUNDS; round++) {
  // Every other round in reverse: in five runs with a fixed order (2026-12-03/04) the second build
  // was 2.5-10 % slower on /health, which none of the compared changes touched. Whatever the
  // cause, alternating takes the order out of the comparison.
  for (const build of round % 2 === 0 ? [...builds].reverse() : builds) {
    const { server, dir, db, scenarios } = await serve(build);
    const line = [];
    try {
      for (const name of SCENARIOS) {
        const { path, opts } = scenarios[name];
        const seconds = name === 'signin' ? 2 * SECONDS : SECONDS;
        await load(`${server.url}${path}`, { ...opts, seconds: name === 'signin' ? 2 : 1 });
        const run = () => load(`${server.url}${path}`, { ...opts, seconds, pid: server.pid });
        const r = ALLOC ? await allocated(run) : await run();
        if (r.errors + r.timeouts + r.non2xx > 0) throw new Error(`${build.label} ${name}: ${r.non2xx} non-2xx, ${r.errors + r.timeouts} errors`);
        keep(build, name, r.cpuUsPerRequest);
        let text = `${name} ${r.cpuUsPerRequest.toFixed(1)} µs`;
        if (name === 'signin') {
          keep(build, 'signin main thread', r.mainCpuUsPerRequest);
          text += ` (main thread ${r.mainCpuUsPerRequest.toFixed(0)})`;
        }
        if (ALLOC) {
          keep(build, `${name} allocated`, r.bytesPerRequest / 1024);
          text += `, ${(r.bytesPerRequest / 1024).toFixed(1)} KB`;
        }
        line.push(text);
      }
    } finally {
      await stop(server);
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
    }
    console.log(`round ${round} ${build.label}: ${line.join(', ')}`);
  }
}

const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
console.log(`\nmedians of ${ROUNDS} fresh processes a build (server CPU µs a request${ALLOC ? '; KB allocated a request' : ''}), [range], × the first build:`);
for (const key of Object.keys(figures.get(builds[0].label))) {
  const base = median(figures.get(builds[0].label)[key]);
  const cells = builds.map((b) => {
    const v = figures.get(b.label)[key];
    return `${b.label} ${median(v).toFixed(1)} [${Math.min(...v).toFixed(1)}-${Math.max(...v).toFixed(1)}] ${(median(v) / base).toFixed(3)}`;
  });
  console.log(`${key.padEnd(20)} ${cells.join('   ')}`);
}
