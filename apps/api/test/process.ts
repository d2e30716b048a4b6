import { randomBytes } from 'node:crypto';
import { TesseraClient } from '@tessera/client';
import { startBuiltApi, type RunningProcess } from '../../../tools/scripts/api-process.mjs';

export { API_MAIN, NODE_FLAGS, ROOT } from '../../../tools/scripts/api-process.mjs';

export interface ApiProcess extends Pick<RunningProcess, 'url' | 'pid' | 'logs' | 'alive' | 'stop'> {
  anon: TesseraClient;
  admin: TesseraClient;
}

/** The built service as its own process, exactly as `npm start` runs it, on a free port. */
export async function startApiProcess(env: Record<string, string>, rootKey: string): Promise<ApiProcess> {
  const api = await startBuiltApi({ env: { TESSERA_ROOT_API_KEY: rootKey, ...env } });
  return {
    url: api.url,
    pid: api.pid,
    logs: api.logs,
    alive: api.alive,
    stop: api.stop,
    anon: new TesseraClient({ baseUrl: api.url }),
    admin: new TesseraClient({ baseUrl: api.url, apiKey: rootKey }),
  };
}

/**
 * The environment of API processes that share one database and one Redis (under a key prefix of
 * their own), with an account lock after three failures and no per-IP limit in the way.
 */
export function sharedProcessEnv(databaseUrl: string, redisUrl: string, dataDir: string): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    TESSERA_REDIS_KEY_PREFIX: `test:${randomBytes(4).toString('hex')}:`,
    TESSERA_JWT_SECRET: randomBytes(32).toString('base64url'),
    TESSERA_DATA_DIR: dataDir,
    TESSERA_SIGN_IN_ACCOUNT_FAILURES: '3',
    TESSERA_SIGN_IN_IP_LIMIT: '100000',
  };
}
