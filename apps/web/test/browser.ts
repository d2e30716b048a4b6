import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { Secret, TOTP } from 'otpauth';
import { TesseraClient, isMfaChallenge, type SignInResponse, type SignInResult } from '@tessera/client';
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
 * port (or `port`) with a fresh SQLite file, exactly as `npm start` runs it.
 */
export async function startApi(env: Record<string, string> = {}, { port = 0 } = {}): Promise<RunningApi> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-web-'));
  const rootKey = `tsk_web_${randomBytes(24).toString('base64url')}`;
  const api = await startBuiltApi({
    env: {
      TESSERA_DATA_DIR: dir,
      TESSERA_JWT_SECRET: randomBytes(32).toString('base64url'),
      TESSERA_ROOT_API_KEY: rootKey,
      ...env,
    },
    port,
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

/** What a spec that drives the web app reads in its tests: the started API and this test's page. */
export interface ChromiumSession {
  readonly api: RunningApi;
  readonly page: Page;
}

/**
 * Jest hooks for a spec that walks the app as a person: the built API started once (with `env`),
 * Chromium launched once, and a new desktop-sized page for each test. The page bypasses the app's
 * CSP because axe-core is injected as an inline script, which that CSP (rightly) refuses.
 */
export function useChromium(env: Record<string, string> = {}): ChromiumSession {
  let api: RunningApi | undefined;
  let browser: Browser | undefined;
  let page: Page | undefined;
  beforeAll(async () => {
    api = await startApi(env);
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await api?.stop();
  });
  beforeEach(async () => {
    page = await browser!.newPage({ viewport: VIEWPORTS.desktop, bypassCSP: true });
  });
  afterEach(async () => {
    await page?.close();
  });
  return {
    get api() {
      return api!;
    },
    get page() {
      return page!;
    },
  };
}

/** Saves what the page shows; the README's pictures come from these. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** The two sizes every console page is shown at: a desktop window and a 390 px phone. */
export const VIEWPORTS = { desktop: { width: 1280, height: 860 }, phone: { width: 390, height: 844 } } as const;

/**
 * Saves the page at desktop and phone width (`<name>.png`, `<name>-phone.png`), then restores the
 * desktop size; at the phone width the page must not scroll sideways.
 */
export async function screenshotBoth(page: Page, name: string): Promise<void> {
  await page.setViewportSize(VIEWPORTS.desktop);
  await screenshot(page, name);
  await page.setViewportSize(VIEWPORTS.phone);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  await screenshot(page, `${name}-phone`);
  await page.setViewportSize(VIEWPORTS.desktop);
  if (overflow > 1) throw new Error(`${name}: the page is ${overflow}px wider than a 390px phone screen`);
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/**
 * Runs axe-core (WCAG 2 A/AA rules) in the page and returns its serious and critical violations as
 * readable lines; a test expects `[]`.
 */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: AXE_SOURCE });
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: AxeViolation[] }> } }
    ).axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations.map(({ id, impact, help, nodes }) => ({
      id,
      impact,
      help,
      nodes: nodes.map((n) => ({ target: n.target })),
    }));
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
}

/** Signs in through the sign-in page as a person would, and waits until the app has left it. */
export async function signInWithForm(page: Page, url: string, email: string, password: string): Promise<void> {
  await page.goto(`${url}/`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).waitFor();
}

/**
 * A port nobody listens on right now: for a server whose own URL must be known before it starts
 * (TESSERA_PUBLIC_URL, the links in its mails, names the API that serves the web app).
 */
export async function freePort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A sign-in that must have given a session (the user has no second factor). */
export function session(result: SignInResult): SignInResponse {
  if (isMfaChallenge(result)) throw new Error('expected a session, the sign-in asked for a second factor');
  return result;
}

const STEP_MS = 30_000;

/**
 * The person's authenticator app, from the secret the enrolment page shows. The server takes a code
 * once per 30-second step, so each code comes from a step no earlier code used (waiting for the next
 * step when needed).
 */
export class Authenticator {
  private readonly totp: TOTP;
  private lastStep = -1;

  constructor(secret: string) {
    this.totp = new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' });
  }

  async code(): Promise<string> {
    let step = Math.floor(Date.now() / STEP_MS);
    if (step <= this.lastStep) {
      step = this.lastStep + 1;
      // A little into the step, so the server's clock agrees.
      await new Promise((resolve) => setTimeout(resolve, step * STEP_MS + 250 - Date.now()));
    }
    this.lastStep = step;
    return this.totp.generate({ timestamp: step * STEP_MS });
  }
}
