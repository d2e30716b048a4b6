// The built API as its own process, exactly as `npm start` runs it: the API tests, the web tests,
// the bench and the soak all start it through here. Types: api-process.d.mts.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const API_MAIN = join(ROOT, 'apps/api/dist/main.js');
/** The Node flags `npm start` runs the service with. */
export const NODE_FLAGS = JSON.parse(readFileSync(join(ROOT, 'apps/api/node-flags.json'), 'utf8'));

/** What the API prints once it listens: its origin is the first group. */
const API_LISTENING = /API\s+(http:\/\/[\d.:]+)\/v1/;

/** Children still running, stopped when this process exits so none outlives a crashed caller. */
const running = new Set();
const stopRunning = () => {
  for (const child of running) child.kill('SIGTERM');
};

/**
 * The environment a started program gets besides its own `env`: PATH, and NODE_OPTIONS when the
 * caller runs with some (the Node 24 test run preloads its better-sqlite3 build through it).
 */
export function baseEnv() {
  const { PATH, NODE_OPTIONS } = process.env;
  return { PATH, NO_COLOR: '1', ...(NODE_OPTIONS ? { NODE_OPTIONS } : {}) };
}

/**
 * Starts `node <args>` (behind `prefix`, e.g. `taskset -c 0`) with only baseEnv() and `env` in its
 * environment, and resolves once its output matches `ready`, whose first group is its URL.
 * Rejects with everything it printed when it exits first or takes longer than `timeoutMs`.
 */
export async function startNodeProgram({ args, env = {}, ready, prefix = [], cwd = ROOT, timeoutMs = 30_000 }) {
  const [command, ...before] = [...prefix, process.execPath];
  const child = spawn(command, [...before, ...args], {
    cwd,
    env: { ...baseEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (running.size === 0) process.on('exit', stopRunning);
  running.add(child);
  let output = '';
  let spawnError;
  const exited = new Promise((resolve) => {
    const gone = () => {
      running.delete(child);
      if (running.size === 0) process.off('exit', stopRunning);
      resolve();
    };
    child.once('exit', gone);
    // A command that cannot be started never exits.
    child.once('error', (error) => {
      spawnError = error;
      gone();
    });
  });
  const alive = () => running.has(child);
  const stop = async () => {
    if (alive()) child.kill('SIGTERM');
    await exited;
  };
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${args.at(-1)} did not start in ${timeoutMs / 1000} s:\n${output}`));
    }, timeoutMs);
    const read = (chunk) => {
      output += chunk.toString();
      const match = ready.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    void exited.then(() => {
      clearTimeout(timer);
      const exit = child.exitCode ?? child.signalCode;
      const how = spawnError ? `failed to start (${spawnError.message})` : `exited with ${exit}`;
      reject(new Error(`${args.at(-1)} ${how}:\n${output}`));
    });
  });
  return { url, pid: child.pid, child, logs: () => output, alive, stop };
}

/**
 * The built API on 127.0.0.1 (`port`, 0 for a free one) with the flags of node-flags.json (then
 * `nodeArgs`), resolved once it answers /health. It runs in its data directory unless told
 * otherwise, so a .env in the repository (npm start's demo settings) stays out of it.
 */
export async function startBuiltApi({ env = {}, port = 0, nodeArgs = [], prefix, cwd, timeoutMs = 30_000 } = {}) {
  if (!existsSync(API_MAIN)) throw new Error(`${API_MAIN} is missing: run npm run build first`);
  const api = await startNodeProgram({
    args: [...NODE_FLAGS, ...nodeArgs, API_MAIN],
    env: { ...env, PORT: String(port), HOST: '127.0.0.1' },
    ready: API_LISTENING,
    prefix,
    cwd: cwd ?? env.TESSERA_DATA_DIR ?? ROOT,
    timeoutMs,
  });
  const deadline = Date.now() + timeoutMs;
  while (!(await answersHealth(api.url))) {
    if (!api.alive() || Date.now() > deadline) {
      await api.stop();
      throw new Error(`the API did not answer /health:\n${api.logs()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return api;
}

async function answersHealth(url) {
  try {
    const response = await fetch(`${url}/health`);
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}
