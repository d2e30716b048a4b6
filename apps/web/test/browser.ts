import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { TesseraClient } from '@tessera/client';
import { ROOT, startBuiltApi } from '../../../tools/scripts/api-process.mjs';

export const SCREENSHOTS = join(ROOT, 'apps/web/test-results/screenshots');

/** The flags Debian's Chromium needs on these machines (ARCHITECTURE.md). */
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface RunningApi {
  url: string;
  admin: TesseraClient;
  stop(): Promise<void>;
}

/**
 * Starts the built service (apps/api/dist, serving apps/web/dist) as its own process on a free
 * port with a fresh SQLite file, exactly as `npm start` runs it.
 */
export async function startApi(env: Record<string, string> = {}): Promise<RunningApi> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-web-'));
  const rootKey = `tsk_web_${randomBytes(24).toString('base64url')}`;
  const api = await startBuiltApi({
    env: {
      TESSERA_DATA_DIR: dir,
      TESSERA_JWT_SECRET: randomBytes(32).toString('base64url'),
      TESSERA_ROOT_API_KEY: rootKey,
      ...env,
    },
  }).catch((error: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  });
  return {
    url: api.url,
    admin: new TesseraClient({ baseUrl: api.url, apiKey: rootKey }),
    stop: async () => {
      await api.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A stand-in for the customer's application that the dashboard's Back button returns to. */
export async function startCustomerApp(): Promise<{ origin: string; server: Server }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>Customer app</title><h1>Back in the customer app</h1>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  return { origin: `http://127.0.0.1:${address.port}`, server };
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_FLAGS });
}

/** Saves what the page shows; the README's pictures come from these. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
