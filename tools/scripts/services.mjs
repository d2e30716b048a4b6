// Makes sure the PostgreSQL the tests use is reachable, starting the local cluster when it is stopped.
import { execSync } from 'node:child_process';
import { connect } from 'node:net';
import { existsSync, readdirSync } from 'node:fs';
import pg from 'pg';

export const DEFAULT_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

async function canConnect(url) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch (error) {
    if (error.code === '3D000') {
      // The server is up but has no `test` database yet: create it.
      const admin = new URL(url);
      const name = admin.pathname.slice(1);
      admin.pathname = '/postgres';
      const c = new pg.Client({ connectionString: admin.toString() });
      await c.connect();
      await c.query(`CREATE DATABASE "${name}"`);
      await c.end();
      return canConnect(url);
    }
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

function startLocalCluster() {
  if (!existsSync('/etc/postgresql')) return false;
  const version = readdirSync('/etc/postgresql')[0];
  if (!version) return false;
  try {
    execSync(`pg_ctlcluster --skip-systemctl-redirect ${version} main start`, { stdio: 'inherit' });
    return true;
  } catch {
    return false;
  }
}

/** Resolves to a reachable PostgreSQL URL, or null when there is none (and none could be started). */
export async function ensurePostgres(url) {
  if (await canConnect(url)) return url;
  console.log(`PostgreSQL is not answering at ${new URL(url).host}; trying to start the local cluster…`);
  if (!startLocalCluster()) return null;
  for (let i = 0; i < 30; i++) {
    if (await canConnect(url)) return url;
    await new Promise((r) => setTimeout(r, 500));
  }
  return null;
}

/** Debian's Chromium for the browser tests; installed when missing and we are root (CI is). */
export function ensureChromium() {
  const path = '/usr/bin/chromium';
  if (existsSync(path)) return true;
  if (process.getuid?.() !== 0) return false;
  console.log('Installing Debian chromium for the browser tests…');
  try {
    execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium', {
      stdio: 'inherit',
      shell: '/bin/bash',
    });
  } catch {
    return false;
  }
  return existsSync(path);
}

export const DEFAULT_TEST_REDIS_URL = 'redis://127.0.0.1:6379';

function redisAnswers(url) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port || 6379), hostname);
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

/** Resolves to a reachable Redis URL, starting a local redis-server when none answers; else null. */
export async function ensureRedis(url) {
  if (await redisAnswers(url)) return url;
  console.log(`Redis is not answering at ${new URL(url).host}; trying to start redis-server…`);
  try {
    execSync('redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no', {
      stdio: 'inherit',
    });
  } catch {
    return null;
  }
  for (let i = 0; i < 20; i++) {
    if (await redisAnswers(url)) return url;
    await new Promise((r) => setTimeout(r, 250));
  }
  return null;
}
