import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './process.js';

/** Whether `pid` still runs (a zombie, exited but not yet reaped, does not). Linux. */
const running = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

const answers = (url: string) =>
  fetch(`${url}/health`).then(
    (response) => response.ok,
    () => false,
  );

describe('the built API started as a process', () => {
  it('stops when the program that started it crashes, so no server outlives its test', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-parent-'));
    const helper = pathToFileURL(join(ROOT, 'tools/scripts/api-process.mjs')).href;
    const env = { TESSERA_DATA_DIR: dir, TESSERA_JWT_SECRET: randomBytes(32).toString('base64url') };
    const program = [
      `import { startBuiltApi } from ${JSON.stringify(helper)};`,
      `const api = await startBuiltApi({ env: ${JSON.stringify(env)} });`,
      `console.log('STARTED', api.pid, api.url);`,
      `throw new Error('the caller crashed');`,
    ].join('\n');
    const parent = spawnSync(process.execPath, ['--input-type=module', '-e', program], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    const [, pid, url] = /STARTED (\d+) (\S+)/.exec(parent.stdout) ?? [];
    try {
      expect(parent.stderr).toContain('the caller crashed');
      expect(pid).toBeDefined();
      for (let waited = 0; running(Number(pid)) && waited < 20_000; waited += 100) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(running(Number(pid))).toBe(false);
      expect(await answers(url!)).toBe(false);
    } finally {
      if (pid && running(Number(pid))) process.kill(Number(pid), 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
