#!/usr/bin/env node
// `npm test`: build, type-check and lint every project, then run every Jest suite on SQLite and PostgreSQL.
// Exits non-zero when any step fails or when no test ran.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_TEST_DATABASE_URL, DEFAULT_TEST_REDIS_URL, ensureChromium, ensurePostgres, ensureRedis } from './services.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
process.chdir(root);
const ci = process.env.CI === 'true' || process.env.CI === '1';
const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', FORCE_COLOR: ci ? '0' : process.env.FORCE_COLOR };

const failed = [];
function step(name, command, args, extraEnv = {}) {
  console.log(`\n=== ${name}: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...env, ...extraEnv } });
  if (result.status !== 0) failed.push(name);
  return result.status === 0;
}

// PostgreSQL: required in CI, used locally when it is there.
const pgUrl = await ensurePostgres(process.env.TEST_DATABASE_URL ?? DEFAULT_TEST_DATABASE_URL);
if (!pgUrl) {
  if (ci) {
    console.error('PostgreSQL cannot be reached and could not be started: CI needs it, failing.');
    process.exit(1);
  }
  console.warn('\nWARNING: PostgreSQL is not reachable; API tests run on SQLite only.\n');
}

// Redis: the scale-out and fault tests need it; required in CI.
const redisUrl = await ensureRedis(process.env.TEST_REDIS_URL ?? DEFAULT_TEST_REDIS_URL);
if (!redisUrl) {
  if (ci) {
    console.error('Redis cannot be reached and could not be started: CI needs it, failing.');
    process.exit(1);
  }
  console.warn('\nWARNING: Redis is not reachable; the scale-out tests will fail.\n');
}

// Chromium: the web tests drive a real browser; they fail (not skip) without one.
if (!ensureChromium()) {
  console.error('Chromium is missing (/usr/bin/chromium): install it with `apt-get install -y chromium`; the web tests will fail.');
}

if (step('build', 'npx', ['nx', 'run-many', '-t', 'build', '--outputStyle=static'])) {
  step('typecheck', 'npx', ['nx', 'run-many', '-t', 'typecheck', '--outputStyle=static']);
}
step('lint', 'npx', ['eslint', '--max-warnings=0', '.']);

const results = 'test-results/jest.json';
rmSync(results, { force: true });
mkdirSync('test-results', { recursive: true });
step(
  'jest',
  process.execPath,
  ['--experimental-vm-modules', 'node_modules/jest/bin/jest.js', '--ci', '--json', `--outputFile=${results}`],
  { ...(pgUrl ? { TEST_DATABASE_URL: pgUrl } : {}), ...(redisUrl ? { TEST_REDIS_URL: redisUrl } : {}) },
);

// Smoke runs of the load tools, so they keep working (no thresholds: figures vary by machine).
step('bench smoke', process.execPath, ['tools/bench/bench.mjs', '--smoke']);
step('soak (short)', process.execPath, ['tools/soak/soak.mjs', '--seconds', '5', '--workers', '4']);

let total = 0;
try {
  const summary = JSON.parse(readFileSync(results, 'utf8'));
  total = summary.numTotalTests;
  console.log(`\nJest: ${summary.numPassedTests} passed, ${summary.numFailedTests} failed of ${total} (PostgreSQL: ${pgUrl ? 'yes' : 'no'}, Redis: ${redisUrl ? 'yes' : 'no'})`);
} catch {
  failed.push('jest results');
}
if (total === 0) failed.push('no test ran');
if (failed.length > 0) {
  console.error(`\nFAILED: ${failed.join(', ')}`);
  process.exit(1);
}
