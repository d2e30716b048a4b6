import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TesseraClient } from '@tessera/client';

/** The repository's root. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = join(ROOT, 'apps/api/dist/main.js');
/** The Node flags `npm start` runs the service with. */
export const NODE_FLAGS = JSON.parse(readFileSync(join(ROOT, 'apps/api/node-flags.json'), 'utf8')) as string[];

export interface ApiProcess {
  url: string;
  pid: number;
  anon: TesseraClient;
  admin: TesseraClient;
  /** Everything the process printed so far. */
  logs(): string;
  alive(): boolean;
  stop(): Promise<void>;
}

/** The built service as its own process, exactly as `npm start` runs it, on a free port. */
export async function startApiProcess(env: Record<string, string>, rootKey: string): Promise<ApiProcess> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build first`);
  const child: ChildProcess = spawn(process.execPath, [...NODE_FLAGS, MAIN], {
    env: { PATH: process.env.PATH, NO_COLOR: '1', PORT: '0', HOST: '127.0.0.1', TESSERA_ROOT_API_KEY: rootKey, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  let exited = false;
  child.on('exit', () => (exited = true));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`did not start in 20 s:\n${log}`)), 20_000);
    const read = (chunk: Buffer) => {
      log += chunk.toString();
      const m = /API\s+(http:\/\/127\.0\.0\.1:\d+)\/v1/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}:\n${log}`));
    });
  });
  return {
    url,
    pid: child.pid!,
    anon: new TesseraClient({ baseUrl: url }),
    admin: new TesseraClient({ baseUrl: url, apiKey: rootKey }),
    logs: () => log,
    alive: () => !exited,
    stop: async () => {
      if (exited) return;
      const done = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await done;
    },
  };
}
