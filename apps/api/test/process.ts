import { TesseraClient } from '@tessera/client';
import { startBuiltApi, type RunningProcess } from '../../../tools/scripts/api-process.mjs';

export { NODE_FLAGS, ROOT } from '../../../tools/scripts/api-process.mjs';

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
