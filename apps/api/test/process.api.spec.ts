import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { baseEnv, startBuiltApi } from '../../../tools/scripts/api-process.mjs';
import { API_MAIN, NODE_FLAGS, ROOT } from './process.js';

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

  describe('its start log', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-log-'));
    const env = {
      TESSERA_DATA_DIR: dir,
      TESSERA_ADMIN_EMAIL: 'admin@example.com',
      TESSERA_ADMIN_PASSWORD: 'tessera-demo-password',
      TESSERA_ROOT_API_KEY: 'tsk_process_test_root_key_0123456789',
    };
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('fits a screen at info: the warnings, the URLs and the admin, no route list', async () => {
      const api = await startBuiltApi({ env });
      await api.stop();
      const lines = api.logs().trimEnd().split('\n');
      expect(lines.length).toBeLessThanOrEqual(24);
      expect(api.logs()).not.toContain('Mapped {');
      expect(api.logs()).not.toContain('dependencies initialized');
      expect(api.logs()).not.toContain(env.TESSERA_ROOT_API_KEY);
      for (const what of [
        'Web app  http://127.0.0.1:',
        'API      http://127.0.0.1:',
        'Docs',
        'Health',
        'Admin    admin@',
      ])
        expect(lines.filter((line) => line.includes(what))).toHaveLength(1);
    }, 60_000);

    it('lists every route at debug', async () => {
      const api = await startBuiltApi({ env: { ...env, TESSERA_LOG_LEVEL: 'debug' } });
      await api.stop();
      expect(api.logs()).toContain('Mapped {/v1/auth/sign-in, POST} route');
      expect(api.logs()).toContain('Mapped {/health/ready, GET} route');
    }, 60_000);
  });

  it('on a port in use, says so naming PORT, without a stack trace, and exits with 1', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    const dir = mkdtempSync(join(tmpdir(), 'tessera-port-'));
    try {
      const env = {
        ...baseEnv(),
        PORT: String(port),
        HOST: '127.0.0.1',
        TESSERA_DATA_DIR: dir,
      };
      const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
        const child = execFile(process.execPath, [...NODE_FLAGS, API_MAIN], { cwd: dir, env, timeout: 60_000 });
        let output = '';
        child.stdout!.on('data', (chunk: string) => (output += chunk));
        child.stderr!.on('data', (chunk: string) => (output += chunk));
        child.on('close', (exit) => resolve({ code: exit, output }));
      });
      expect(code).toBe(1);
      const lines = output.trimEnd().split('\n');
      expect(lines.at(-1)).toBe(
        `Port ${port} is already in use (127.0.0.1:${port}): stop the program using it, or set PORT to a free port.`,
      );
      expect(output).not.toMatch(/^\s+at /m);
      expect(output).not.toContain('EADDRINUSE');
      expect(lines.filter((line) => /ERROR/.test(line))).toEqual([]);
    } finally {
      taken.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
