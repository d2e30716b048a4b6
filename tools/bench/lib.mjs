// What tools/bench's programs share: the core pinning, a server process and its CPU and memory, a load.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import autocannon from 'autocannon';
import { ROOT, startBuiltApi, startNodeProgram } from '../scripts/api-process.mjs';

/** NODE_FLAGS: the flags `npm start` runs Tessera with; both servers of a measurement get them. */
export { NODE_FLAGS, ROOT } from '../scripts/api-process.mjs';
export const TASKSET = existsSync('/usr/bin/taskset') && cpus().length >= 2;

/** Re-runs this program on core 1 (once), leaving core 0 to the server under test. */
export function pinToCore1() {
  if (!TASKSET || process.env.BENCH_PINNED) return;
  const r = spawnSync('taskset', ['-c', '1', process.execPath, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, BENCH_PINNED: '1' },
  });
  process.exit(r.status ?? 1);
}

const CORE_0 = TASKSET ? ['taskset', '-c', '0'] : [];
/** A node program's command and arguments for spawning it on core 0. */
export const onCore0 = (args) => {
  const [command, ...rest] = [...CORE_0, process.execPath, ...args];
  return [command, rest];
};

/** Starts a node program on core 0 and resolves once it prints `pattern`'s URL. */
export const startServer = (args, env, pattern) => startNodeProgram({ args, env, ready: pattern, prefix: CORE_0 });

/**
 * A Tessera process on 127.0.0.1 (a free port) with its own data directory, database, signing key
 * (a new one unless `jwtSecret` is given: tokens outlive a restart only with the same key) and root
 * API key, resolved once it answers. `nodeArgs` are node flags beyond node-flags.json. A
 * measurement signs one account in thousands of times: the brute-force limits are lifted for it.
 */
export function startTessera(
  nodeArgs,
  { dir, databaseUrl, rootKey, jwtSecret = randomBytes(32).toString('base64url'), env = {} },
) {
  return startBuiltApi({
    nodeArgs,
    prefix: CORE_0,
    // The repository, so that relative paths in BENCH_NODE_ARGS (--cpu-prof-dir=prof) land there.
    cwd: ROOT,
    env: {
      DATABASE_URL: databaseUrl,
      TESSERA_DATA_DIR: dir,
      TESSERA_JWT_SECRET: jwtSecret,
      TESSERA_ROOT_API_KEY: rootKey,
      TESSERA_SIGN_IN_IP_LIMIT: '1000000',
      TESSERA_SIGN_IN_ACCOUNT_FAILURES: '1000000',
      ...env,
    },
  });
}

/**
 * CPU time used so far, in ms (Linux; 0 elsewhere): the whole process's, all threads, or with
 * `mainThread` only its JavaScript thread's (the rest is libuv's pool, V8's helpers).
 */
export function cpuMs(pid, mainThread = false) {
  try {
    // Fields 14 and 15 (utime, stime) in clock ticks of 10 ms; the name in () may hold spaces.
    const fields = readFileSync(mainThread ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`, 'utf8')
      .split(') ')[1]
      .split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

/** Resident memory of a process, MB: now and the peak so far (Linux). */
export function memory(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
    return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
  } catch {
    return { rss: 0, peak: 0 };
  }
}

/**
 * Load from autocannon; with `pid`, also the server's CPU time per answered request (all threads,
 * and its main thread's share) and its peak RSS so far. `requests`: autocannon's, e.g. one whose
 * `setupRequest` picks each request at random.
 */
export async function load(url, options = {}) {
  const { connections = 32, method = 'GET', headers = {}, body, requests, seconds, pid } = options;
  const cpuBefore = pid ? cpuMs(pid) : 0;
  const mainBefore = pid ? cpuMs(pid, true) : 0;
  const result = await new Promise((resolve, reject) => {
    autocannon(
      {
        url,
        connections,
        duration: seconds,
        method,
        headers: { 'content-type': 'application/json', ...headers },
        body,
        requests,
      },
      (err, r) => (err ? reject(err) : resolve(r)),
    );
  });
  if (pid && result.requests.total > 0) {
    result.cpuUsPerRequest = ((cpuMs(pid) - cpuBefore) * 1000) / result.requests.total;
    result.mainCpuUsPerRequest = ((cpuMs(pid, true) - mainBefore) * 1000) / result.requests.total;
  }
  if (pid) result.peakRssMb = memory(pid).peak;
  return result;
}

export async function api(url, path, { method = 'GET', key, token, body } = {}) {
  const headers = { 'content-type': 'application/json' };
  if (key) headers.authorization = `ApiKey ${key}`;
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}
