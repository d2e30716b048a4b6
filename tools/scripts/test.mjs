#!/usr/bin/env node
// `npm test`: makes sure PostgreSQL, Redis and Chromium are there, lets Nx build, type-check, lint and test
// every project (each task cached by its inputs), runs the API and web tests again on Node 24, then
// the bench smoke and a short soak.
// Writes test-results/jest.json (the projects' Jest results summed, for CI's totals line) and exits
// non-zero when any step fails or when no test ran.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { prepareNode24 } from './node24.mjs';
import {
  DEFAULT_TEST_DATABASE_URL,
  DEFAULT_TEST_REDIS_URL,
  ensureChromium,
  ensurePostgres,
  ensureRedis,
} from './services.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
process.chdir(root);
const ci = process.env.CI === 'true' || process.env.CI === '1';
const color = ci ? '0' : (process.env.FORCE_COLOR ?? (process.stdout.isTTY ? '1' : '0'));
const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', FORCE_COLOR: color };

const failed = [];

// PostgreSQL: required in CI, used locally when it is there.
const pgUrl = await ensurePostgres(process.env.TEST_DATABASE_URL ?? DEFAULT_TEST_DATABASE_URL);
if (pgUrl) env.TEST_DATABASE_URL = pgUrl;
else {
  if (ci) {
    console.error('PostgreSQL cannot be reached and could not be started: CI needs it, failing.');
    process.exit(1);
  }
  delete env.TEST_DATABASE_URL;
  console.warn('\nWARNING: PostgreSQL is not reachable; API tests run on SQLite only.\n');
}

// Redis: the scale-out and fault tests need it; required in CI.
const redisUrl = await ensureRedis(process.env.TEST_REDIS_URL ?? DEFAULT_TEST_REDIS_URL);
if (redisUrl) env.TEST_REDIS_URL = redisUrl;
else {
  if (ci) {
    console.error('Redis cannot be reached and could not be started: CI needs it, failing.');
    process.exit(1);
  }
  console.warn('\nWARNING: Redis is not reachable; the scale-out tests will fail.\n');
}

// Chromium: the web tests drive a real browser; they fail (not skip) without one.
if (!ensureChromium()) {
  console.error(
    'Chromium is missing (/usr/bin/chromium): install it with `apt-get install -y chromium`; the web tests will fail.',
  );
}

/** Runs a command with its output shown as it comes; resolves to whether it passed, and that output. */
function run(command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
      process.stdout.write(chunk);
    });
    child.stderr.on('data', (chunk) => process.stderr.write(chunk));
    child.on('close', (code) => resolve({ ok: code === 0, output }));
  });
}

/** Each Nx task seen (`project:target`) and whether Nx replayed it from its cache. */
const fromCache = new Map();

/** `nx run-many -t <target>` over every project; Nx runs what the target depends on first. */
async function nx(target, ...args) {
  console.log(`\n=== ${target}: nx run-many -t ${target} ${args.join(' ')}`);
  const { ok, output } = await run('npx', ['nx', 'run-many', '-t', target, '--outputStyle=static', ...args]);
  // Nx marks a replayed task `[local cache]`, or `[existing outputs match the cache, left as is]`.
  for (const [, task, mark] of stripVTControlCharacters(output).matchAll(/^> nx run (\S+)(?:\s+\[(.+)\])?/gm)) {
    if (!fromCache.has(task)) fromCache.set(task, mark?.includes('cache') ?? false);
  }
  if (!ok) failed.push(target);
  return ok;
}

/** The projects with a `test` target, and where each writes its Jest results. */
function testProjects() {
  const file = 'test-results/project-graph.json';
  spawnSync('npx', ['nx', 'graph', `--file=${file}`], { env, stdio: 'ignore' });
  const { nodes } = JSON.parse(readFileSync(file, 'utf8')).graph;
  return Object.values(nodes)
    .filter((node) => node.data.targets?.test)
    .map((node) => ({ name: node.name, results: join(node.data.root, 'test-results', 'jest.json') }));
}

const COUNTS = ['numTotalTests', 'numPassedTests', 'numFailedTests', 'numPendingTests', 'numTodoTests'];
const SUITE_COUNTS = ['numTotalTestSuites', 'numPassedTestSuites', 'numFailedTestSuites', 'numRuntimeErrorTestSuites'];

/** The projects' Jest results summed, in Jest's shape; a project without results counts as a failed suite. */
function mergeResults(projects) {
  const merged = Object.fromEntries([...COUNTS, ...SUITE_COUNTS].map((key) => [key, 0]));
  Object.assign(merged, { success: true, testResults: [], projects: {} });
  for (const project of projects) {
    if (!existsSync(project.results)) {
      merged.numRuntimeErrorTestSuites += 1;
      merged.success = false;
      merged.projects[project.name] = { missing: project.results };
      continue;
    }
    const result = JSON.parse(readFileSync(project.results, 'utf8'));
    for (const key of [...COUNTS, ...SUITE_COUNTS]) merged[key] += result[key] ?? 0;
    merged.success &&= result.success;
    merged.testResults.push(...result.testResults);
    merged.projects[project.name] = Object.fromEntries(COUNTS.map((key) => [key, result[key]]));
  }
  return merged;
}

/**
 * The API and web tests again, on Node 24 (the current LTS; the machine's Node may be older), on the
 * same builds and services; each is a project of its own in the results. Not cached by Nx.
 */
function testOnNode24() {
  console.log('\n=== test on Node 24: the API and web tests');
  let node24;
  try {
    node24 = prepareNode24();
  } catch (error) {
    console.error(`Node 24 could not be set up: ${error.message}`);
    failed.push('Node 24 set-up');
    return [];
  }
  if (!node24) {
    console.warn('\nWARNING: npm has no Node 24 binary package for this platform; the Node 24 run is left out.\n');
    return [];
  }
  const projects = [];
  for (const app of ['api', 'web']) {
    const project = { name: `@tessera/${app} on Node 24`, results: `test-results/node24/${app}.json` };
    rmSync(project.results, { force: true });
    mkdirSync(dirname(project.results), { recursive: true });
    const jest = ['node_modules/jest/bin/jest.js', '-c', 'jest.config.js', `--roots=apps/${app}`, '--ci', '--json'];
    const args = ['--experimental-vm-modules', ...jest, `--outputFile=${project.results}`];
    const { status } = spawnSync(node24.node, args, { env: { ...env, ...node24.env }, stdio: 'inherit' });
    if (status !== 0) failed.push(project.name);
    projects.push(project);
  }
  return projects;
}

const results = 'test-results/jest.json';
rmSync(results, { force: true });
mkdirSync('test-results', { recursive: true });

if (await nx('build')) {
  await nx('typecheck');
  await nx('lint');
  const projects = testProjects();
  for (const project of projects) rmSync(project.results, { force: true });
  // CI runs every test, never a replayed pass; what the tests depend on is built above (and may come from the cache).
  await nx('test', '--parallel=1', ...(ci ? ['--skip-nx-cache', '--excludeTaskDependencies'] : []));
  writeFileSync(results, JSON.stringify(mergeResults([...projects, ...testOnNode24()])));
}

// Smoke runs of the load tools, so they keep working (no thresholds: figures vary by machine).
for (const [name, args] of [
  ['bench smoke', ['tools/bench/bench.mjs', '--smoke']],
  ['soak (short)', ['tools/soak/soak.mjs', '--seconds', '5', '--workers', '4']],
]) {
  console.log(`\n=== ${name}: node ${args.join(' ')}`);
  if (spawnSync(process.execPath, args, { stdio: 'inherit', env }).status !== 0) failed.push(name);
}

console.log('\nNx cache (a task whose inputs did not change replays its result):');
for (const target of ['build', 'typecheck', 'lint', 'test']) {
  const tasks = [...fromCache].filter(([task]) => task.endsWith(`:${target}`));
  const hits = tasks.filter(([, hit]) => hit).map(([task]) => task.slice(0, -target.length - 1));
  const which = hits.length > 0 ? `: ${hits.join(', ')}` : '';
  console.log(`  ${target.padEnd(10)} ${hits.length}/${tasks.length} from cache${which}`);
}

let total = 0;
try {
  const summary = JSON.parse(readFileSync(results, 'utf8'));
  total = summary.numTotalTests;
  console.log('\nJest results by project:');
  for (const [name, project] of Object.entries(summary.projects)) {
    const counts = project.missing
      ? `no results (${project.missing})`
      : `${project.numPassedTests} passed, ${project.numFailedTests} failed`;
    console.log(`  ${name.padEnd(16)} ${counts}`);
  }
  const services = `PostgreSQL: ${pgUrl ? 'yes' : 'no'}, Redis: ${redisUrl ? 'yes' : 'no'}`;
  const { numPassedTests, numFailedTests, numRuntimeErrorTestSuites } = summary;
  console.log(`\nJest: ${numPassedTests} passed, ${numFailedTests} failed of ${total} (${services})`);
  if (numRuntimeErrorTestSuites > 0) console.log(`Jest: ${numRuntimeErrorTestSuites} suites or projects could not run`);
} catch {
  failed.push('jest results');
}
if (total === 0) failed.push('no test ran');
if (failed.length > 0) {
  console.error(`\nFAILED: ${failed.join(', ')}`);
  process.exit(1);
}
