import type { Browser, Page } from 'playwright-core';
import { TesseraClient, TesseraError } from '@tessera/client';
import { launchBrowser, screenshot, session, startApi, startCustomerApp, type RunningApi } from './browser.js';

const PASSWORD = 'correct horse battery staple';

describe('the demo web app in Chromium', () => {
  let api: RunningApi;
  let browser: Browser;
  let customer: Awaited<ReturnType<typeof startCustomerApp>>;
  let page: Page;

  beforeAll(async () => {
    customer = await startCustomerApp();
    api = await startApi({ TESSERA_SELF_SERVICE_REDIRECT_ORIGINS: customer.origin });
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await api?.stop();
    await new Promise((resolve) => customer?.server.close(resolve));
  });

  beforeEach(async () => {
    page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
  });

  afterEach(async () => {
    await page.close();
  });

  it('signs in, lists my sessions with this device marked, ends another session, signs out everywhere', async () => {
    const email = `web.${Date.now()}@example.test`;
    await api.admin.users.create({ email, password: PASSWORD });
    const phone = new TesseraClient({
      baseUrl: api.url,
      headers: { 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1' },
    });
    const other = session(await phone.auth.signIn({ email, password: PASSWORD }));

    await page.goto(`${api.url}/`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('do not match');
    await screenshot(page, 'sign-in-error');

    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'My sessions' }).waitFor();
    const rows = page.locator('tbody tr');
    await rows.nth(1).waitFor();
    expect(await rows.count()).toBe(2);
    expect(await page.locator('tr.current').count()).toBe(1);
    expect(await page.locator('tr.current').textContent()).toContain('This device');
    expect(await page.locator(`tr[data-session-id="${other.session.id}"]`).textContent()).toContain('Safari on iOS');
    await screenshot(page, 'sessions');

    await page.getByRole('button', { name: /End session on Safari on iOS/ }).click();
    await page.getByText('Session ended.').waitFor();
    expect(await rows.count()).toBe(1);
    const ended = await phone
      .withToken(other.token)
      .sessions.current()
      .catch((e: unknown) => e);
    expect(ended).toBeInstanceOf(TesseraError);
    expect((ended as TesseraError).code).toBe('token_revoked');

    const stored = await page.evaluate(() => ({
      local: Object.keys(localStorage),
      session: sessionStorage.getItem('tessera.userToken'),
    }));
    expect(stored.local).toEqual([]);
    const browserToken = stored.session!;
    await page.getByRole('button', { name: 'Sign out everywhere' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    const after = await new TesseraClient({ baseUrl: api.url, token: browserToken }).sessions
      .current()
      .catch((e: unknown) => e);
    expect((after as TesseraError).code).toBe('token_revoked');
  }, 60_000);

  it('runs the self-service flow end to end within the dashboard user’s limits', async () => {
    const stamp = Date.now().toString(36);
    const tenant = await api.admin.tenants.create({ tenantId: `acme-${stamp}`, name: 'Acme Inc.' });
    await api.admin.permissions.create({ permissionId: 'view-reports', name: 'View reports' });
    await api.admin.permissions.create({ permissionId: 'delete-everything' });
    await api.admin.roles.create({ roleId: 'analyst', name: 'Analyst' });
    await api.admin.roles.addPermission('analyst', 'view-reports');
    await api.admin.roles.create({ roleId: 'owner', name: 'Owner' });
    await api.admin.roles.addPermission('owner', 'view-reports');
    await api.admin.roles.addPermission('owner', 'delete-everything');
    await api.admin.roles.create({ roleId: 'team-lead', name: 'Team lead' });
    await api.admin.roles.addPermission('team-lead', 'view-self-service-dashboard');
    await api.admin.roles.addPermission('team-lead', 'view-reports');
    const lead = await api.admin.users.create({ email: `lead.${stamp}@acme.test` });
    const bob = await api.admin.users.create({ email: `bob.${stamp}@acme.test` });
    await api.admin.grants.addRole({ tenantId: tenant.tenantId, userId: lead.userId, roleId: 'team-lead' });
    // A dashboard user hands on only roles they hold themselves.
    await api.admin.grants.addRole({ tenantId: tenant.tenantId, userId: lead.userId, roleId: 'analyst' });
    await api.admin.members.add(tenant.tenantId, bob.userId);

    const redirectUrl = `${customer.origin}/settings`;
    const url = await api.admin.sessions.createSelfServiceSession(
      { userId: lead.userId, tenantId: tenant.tenantId },
      redirectUrl,
    );
    await page.goto(url);
    await page.getByRole('heading', { name: 'Acme Inc.: members' }).waitFor();
    expect(new URL(page.url()).hash).toBe('');
    const bobCard = page.locator(`li[data-user-id="${bob.userId}"]`);
    await bobCard.getByLabel(/Grant role/).selectOption('analyst');
    await bobCard.getByRole('button', { name: 'Grant' }).first().click();
    await page.getByText(`Granted role analyst to ${bob.email}.`).waitFor();
    const check = await api.admin.check({
      userId: bob.userId,
      checks: [{ permission: 'view-reports', tenantId: tenant.tenantId }],
    });
    expect(check.authorized).toBe(true);
    await screenshot(page, 'self-service');

    // Roles come from a list of what the dashboard user may hand on: 'owner' (more than they hold) is not in it.
    const offered = await bobCard
      .getByLabel(/Grant role/)
      .locator('option')
      .allTextContents();
    expect(offered).toContain('Team lead (team-lead)');
    expect(offered.join(' ')).not.toContain('owner');
    const still = await api.admin.check({ userId: bob.userId, checks: [{ role: 'owner', tenantId: tenant.tenantId }] });
    expect(still.authorized).toBe(false);
    await screenshot(page, 'self-service-refused');

    expect(await page.evaluate(() => [Object.keys(localStorage), Object.keys(sessionStorage)])).toEqual([[], []]);
    await page.getByRole('button', { name: 'Back to the application' }).first().click();
    await page.waitForURL(redirectUrl);
    await page.getByRole('heading', { name: 'Back in the customer app' }).waitFor();

    await page.goto(url);
    const state = page.getByTestId('link-state');
    await state.waitFor();
    expect(await state.getAttribute('data-state')).toBe('used');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('This link was already used');
    await screenshot(page, 'self-service-used-link');
  }, 60_000);

  it('shows what an authorization session token can check', async () => {
    const stamp = Date.now().toString(36);
    const tenant = await api.admin.tenants.create({ tenantId: `checks-${stamp}`, name: 'Checks' });
    const user = await api.admin.users.create({ email: `checker.${stamp}@example.test` });
    await api.admin.grants.addRole({ tenantId: tenant.tenantId, userId: user.userId, roleId: 'member' });
    const token = await api.admin.sessions.createAuthorizationSession({ userId: user.userId, ttl: 600 });

    await page.goto(`${api.url}/checks`);
    await page.getByLabel(/A pasted token/).check();
    await page.getByLabel('Authorization session token').fill(token);
    await page.locator('select').first().selectOption('role');
    await page.getByPlaceholder('role id').fill('member');
    await page.getByPlaceholder('tenant id (optional)').fill(tenant.tenantId);
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    await page.getByTestId('authorized').waitFor();
    expect(await page.getByTestId('authorized').textContent()).toBe('Authorized');
    expect(await page.getByRole('status').last().textContent()).toContain(user.email);
    await screenshot(page, 'checks');
  }, 60_000);

  it('labels every form control and works on a phone-sized screen', async () => {
    await page.setViewportSize({ width: 390, height: 800 });
    for (const path of [
      '/',
      '/checks',
      '/account',
      '/forgot-password',
      '/reset-password',
      '/verify-email',
      '/sign-up',
    ]) {
      await page.goto(`${api.url}${path}`);
      await page.locator('h1').waitFor();
      const unlabeled = await page.evaluate(
        () =>
          [...document.querySelectorAll('input, select, textarea')].filter((el) => {
            const id = el.getAttribute('id');
            const byFor = id !== null && document.querySelector(`label[for="${id}"]`) !== null;
            return !byFor && el.closest('label') === null && !el.getAttribute('aria-label');
          }).length,
      );
      expect(unlabeled).toBe(0);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
      expect(overflow).toBe(false);
      // The page's heading has focus, so keyboard users start at the content.
      expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('H1');
      if (path === '/') await screenshot(page, 'sign-in-phone');
    }
  }, 30_000);

  it('says so when sign-up is closed', async () => {
    await page.goto(`${api.url}/`);
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByRole('heading', { name: 'Create an account' }).waitFor();
    await page.getByLabel('Email').fill(`closed.${Date.now()}@example.test`);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Password again').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('Sign-up is closed');
    await screenshot(page, 'sign-up-closed');
  }, 30_000);

  it('serves its pages with a strict Content-Security-Policy', async () => {
    const response = await fetch(`${api.url}/self-service`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  });
});
