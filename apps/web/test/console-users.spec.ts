import type { Page } from 'playwright-core';
import { TesseraClient, TesseraError } from '@tessera/client';
import {
  Authenticator,
  accessibilityProblems,
  screenshotBoth,
  session,
  signInWithForm,
  useChromium,
  type RunningApi,
} from './browser.js';

const PASSWORD = 'correct horse battery staple';
const PHONE_AGENT = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1';
const LAPTOP_AGENT = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';

/** Waits until `read` answers `expected` (the page updates after the server answers), then compares. */
async function eventually<T>(read: () => Promise<T>, expected: T): Promise<void> {
  let last = await read();
  for (let i = 0; i < 100 && JSON.stringify(last) !== JSON.stringify(expected); i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    last = await read();
  }
  expect(last).toEqual(expected);
}

let counter = 0;
const stamp = () => `${Date.now().toString(36)}${++counter}`;

describe('the admin console: users, sessions, impersonation, tenant admins (Chromium)', () => {
  const web = useChromium({ TESSERA_IMPERSONATION_MAX_SECONDS: '1800' });
  let api: RunningApi;
  let page: Page;

  beforeEach(() => {
    ({ api, page } = web);
  });

  /** A user with a password, optionally signed in from a device (a user agent). */
  async function person(label: string, agents: string[] = []) {
    const email = `${label}.${stamp()}@example.test`;
    const user = await api.admin.users.create({ email, password: PASSWORD });
    const sessions = [];
    for (const agent of agents) {
      const client = new TesseraClient({ baseUrl: api.url, headers: { 'user-agent': agent } });
      const signedIn = session(await client.auth.signIn({ email, password: PASSWORD }));
      sessions.push({ ...signedIn, client: client.withToken(signedIn.token) });
    }
    return { email, user, sessions };
  }

  async function superAdmin() {
    const boss = await person('boss');
    await api.admin.grants.addRole({ userId: boss.user.userId, roleId: 'super_admin' });
    return boss;
  }

  const ownToken = (p: Page) => p.evaluate(() => sessionStorage.getItem('tessera.userToken'));

  it('finds a user by search and filters, and ends one of their sessions', async () => {
    const boss = await superAdmin();
    const ada = await person('ada', [PHONE_AGENT, LAPTOP_AGENT]);
    await person('grace');

    await signInWithForm(page, api.url, boss.email, PASSWORD);
    // `/` is the console for a super admin.
    await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/console/users');
    expect(await page.getByRole('navigation', { name: 'Console' }).getByRole('link').allTextContents()).toEqual([
      'Users',
      'Tenants',
      'Roles & permissions',
      'Pricing & features',
      'API keys',
      'Audit log',
    ]);

    await page.getByLabel('Search by email or id').fill(ada.email.slice(0, 12).toUpperCase());
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.waitForURL(/q=/);
    const rows = page.locator('table.users tbody tr');
    await eventually(() => rows.count(), 1);
    expect(await rows.first().textContent()).toContain(ada.email);
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshotBoth(page, 'console-users');

    await page.getByLabel('Has a second factor').check();
    await page.getByText('No user matches.').waitFor();
    await page.getByLabel('Has a second factor').uncheck();
    await page.getByRole('link', { name: ada.email }).click();

    await page.getByRole('heading', { name: ada.email, level: 1 }).waitFor();
    const sessionRows = page.locator('table.sessions-table tbody tr');
    await eventually(() => sessionRows.count(), 2);
    const phoneRow = page.locator(`tr[data-session-id="${ada.sessions[0]!.session.id}"]`);
    expect(await phoneRow.textContent()).toContain('Safari on iOS');
    expect(await phoneRow.textContent()).toContain('127.0.0.1');
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshotBoth(page, 'console-user');

    await phoneRow.getByRole('button', { name: /End session on Safari on iOS/ }).click();
    const dialog = page.getByRole('dialog', { name: `End this session of ${ada.email}?` });
    expect(await accessibilityProblems(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'End session' }).click();
    await page.getByText(`Ended a session of ${ada.email}.`).waitFor();
    await eventually(() => sessionRows.count(), 1);

    const ended = await ada.sessions[0]!.client.sessions.current().catch((e: unknown) => e);
    expect(ended instanceof TesseraError && ended.code).toBe('token_revoked');
    await expect(ada.sessions[1]!.client.sessions.current()).resolves.toBeDefined();
    // The audit trail on the page says who ended it.
    await page.locator('ol.events').getByText(`session revoked by ${boss.user.userId}`).first().waitFor();
  }, 90_000);

  it("impersonates with a reason and a time limit, shows the banner everywhere, and Stop returns to the admin's own session", async () => {
    const boss = await superAdmin();
    const ada = await person('ada');
    await signInWithForm(page, api.url, boss.email, PASSWORD);
    const bossToken = await ownToken(page);
    await page.goto(`${api.url}/console/users/${encodeURIComponent(ada.user.userId)}`);
    await page.getByRole('heading', { name: ada.email, level: 1 }).waitFor();

    await page.getByRole('button', { name: `Act as ${ada.email}` }).click();
    const dialog = page.getByRole('dialog', { name: `Act as ${ada.email}` });
    await dialog.getByLabel('Reason').fill('Ticket 4211: invoices page is empty');
    // The limits offered stay within the server's cap (30 minutes here).
    expect(await dialog.getByLabel('Time limit').locator('option').allTextContents()).toEqual([
      '5 minutes',
      '15 minutes',
      '30 minutes',
    ]);
    await dialog.getByLabel('Time limit').selectOption({ label: '15 minutes' });
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshotBoth(page, 'console-act-as');
    await dialog.getByRole('button', { name: 'Start acting' }).click();

    // The app now runs as Ada: her home, her email in the header, the banner on top.
    const banner = page.getByRole('region', { name: 'Impersonation' });
    await banner.waitFor();
    await page.getByRole('heading', { name: 'My sessions' }).waitFor();
    expect(await page.getByTestId('acting-as').textContent()).toBe(ada.email);
    expect(await banner.textContent()).toMatch(
      new RegExp(`Acting as ${ada.email} for Ticket 4211: invoices page is empty: 1[45] minutes left`),
    );
    expect(await page.getByRole('banner').textContent()).toContain(ada.email);
    expect(await page.getByRole('navigation', { name: 'Main' }).textContent()).not.toContain('Console');
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshotBoth(page, 'console-acting');

    // On every page, and after a reload.
    await page.getByRole('link', { name: 'Account security' }).click();
    await page.getByRole('heading', { name: 'Account security' }).waitFor();
    await banner.waitFor();
    await page.reload();
    await banner.waitFor();
    expect(await ownToken(page)).toBe(bossToken);

    const [started] = (await api.admin.admin.auditEvents({ type: 'impersonation.started', userId: ada.user.userId }))
      .items;
    expect(started).toMatchObject({
      actorUserId: boss.user.userId,
      details: { reason: 'Ticket 4211: invoices page is empty', lifetime: 900 },
    });
    const acting = (await api.admin.admin.users.sessions(ada.user.userId)).items;
    expect(acting.map((s) => [s.type, s.impersonatorId])).toEqual([['impersonation', boss.user.userId]]);

    await banner.getByRole('button', { name: 'Stop' }).click();
    await page.getByText(`Stopped acting as ${ada.email}.`).waitFor();
    // Back on Ada's page in the console, as the admin, with the admin's own session.
    await page.getByRole('heading', { name: ada.email, level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/console/users/${ada.user.userId}`);
    expect(await banner.count()).toBe(0);
    expect(await page.getByRole('banner').textContent()).toContain(boss.email);
    await page.getByText('No live session.').waitFor();
    expect((await api.admin.admin.users.sessions(ada.user.userId)).items).toEqual([]);
    expect(await ownToken(page)).toBe(bossToken);
    await expect(new TesseraClient({ baseUrl: api.url, token: bossToken! }).sessions.current()).resolves.toMatchObject({
      user: { userId: boss.user.userId },
    });
  }, 90_000);

  it('shows a tenant admin only their tenant, and no Act as for a fellow admin', async () => {
    const tenant = await api.admin.tenants.create({ name: `Support ${stamp()}` });
    const other = await api.admin.tenants.create({ name: `Elsewhere ${stamp()}` });
    const admin = await person('tadmin');
    const fellow = await person('fellow');
    const member = await person('member');
    const outsider = await person('outsider');
    await api.admin.grants.addRole({ tenantId: tenant.tenantId, userId: admin.user.userId, roleId: 'admin' });
    await api.admin.grants.addRole({ tenantId: tenant.tenantId, userId: fellow.user.userId, roleId: 'admin' });
    await api.admin.grants.addRole({ tenantId: tenant.tenantId, userId: member.user.userId, roleId: 'member' });
    await api.admin.grants.addRole({ tenantId: other.tenantId, userId: outsider.user.userId, roleId: 'member' });

    await signInWithForm(page, api.url, admin.email, PASSWORD);
    await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
    expect(await page.getByRole('navigation', { name: 'Console' }).getByRole('link').allTextContents()).toEqual([
      'Users',
      'Tenants',
    ]);
    const rows = page.locator('table.users tbody tr');
    await eventually(() => rows.count(), 3);
    const listed = (await rows.allTextContents()).join(' ');
    for (const p of [admin, fellow, member]) expect(listed).toContain(p.email);
    expect(listed).not.toContain(outsider.email);
    expect(await page.getByLabel('Tenant').locator('option').allTextContents()).toEqual([
      'All my tenants',
      tenant.name,
    ]);
    expect(await page.getByText('Create a user').count()).toBe(0);
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshotBoth(page, 'console-users-tenant-admin');

    await page.getByRole('link', { name: member.email }).click();
    await page.getByRole('heading', { name: member.email, level: 1 }).waitFor();
    await page.getByRole('button', { name: `Act as ${member.email}` }).waitFor();
    expect(await page.getByRole('heading', { name: 'Sessions' }).count()).toBe(0);

    await page.getByRole('link', { name: '← All users' }).click();
    await page.getByRole('link', { name: fellow.email }).click();
    await page.getByRole('heading', { name: fellow.email, level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'Tenants and roles' }).waitFor();
    await page.getByText(tenant.name ?? tenant.tenantId).waitFor();
    // The API answered "no" for a fellow admin: no button.
    await page.locator('[data-testid="profile-actions"][aria-busy="false"]').waitFor({ state: 'attached' });
    expect(await page.getByRole('button', { name: /Act as/ }).count()).toBe(0);
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshotBoth(page, 'console-user-tenant-admin');

    await page.goto(`${api.url}/console/users/${encodeURIComponent(outsider.user.userId)}`);
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('not found');
  }, 90_000);

  it('resets the second factor of a user who lost it, after asking, and their sessions end', async () => {
    const boss = await superAdmin();
    const locked = await person('lost-phone', [LAPTOP_AGENT]);
    const { client } = locked.sessions[0]!;
    const { secret } = await client.auth.mfa.beginTotp({ password: PASSWORD });
    await client.auth.mfa.confirmTotp({ code: await new Authenticator(secret).code() });
    expect((await api.admin.users.get(locked.user.userId)).mfa).toBe(true);

    await signInWithForm(page, api.url, boss.email, PASSWORD);
    await page.goto(`${api.url}/console/users/${locked.user.userId}`);
    await page.getByRole('button', { name: 'Reset two-step verification' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Reset' }).click();
    await page.getByText(`Turned off two-step verification of ${locked.email}`).waitFor();

    expect((await api.admin.users.get(locked.user.userId)).mfa).toBe(false);
    const ended = await client.sessions.current().catch((e: unknown) => e);
    expect((ended as TesseraError).code).toBe('token_revoked');
    await eventually(() => page.getByRole('button', { name: 'Reset two-step verification' }).count(), 0);
  });

  it('gives a plain user only their account pages, and shows a not-found page for unknown addresses', async () => {
    const plain = await person('plain');
    await signInWithForm(page, api.url, plain.email, PASSWORD);
    await page.getByRole('heading', { name: 'My sessions' }).waitFor();
    expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents()).toEqual([
      'My sessions',
      'Account security',
      'Checks',
    ]);
    await page.goto(`${api.url}/console/users`);
    await page.getByText('The console is for administrators.').waitFor();

    const answer = await page.goto(`${api.url}/no-such-page`);
    expect(answer?.status()).toBe(404);
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshotBoth(page, 'not-found');
  }, 60_000);

  it('self-service: a reload needs a new link, roles come from a list, and revoking my own last admin role asks first', async () => {
    const tenant = await api.admin.tenants.create({ name: `Acme ${stamp()}` });
    const lead = await person('lead');
    const bob = await person('bob');
    await api.admin.grants.addRole({ tenantId: tenant.tenantId, userId: lead.user.userId, roleId: 'admin' });
    // A dashboard user hands on only roles they hold: the lead may give `member` too.
    await api.admin.grants.addRole({ tenantId: tenant.tenantId, userId: lead.user.userId, roleId: 'member' });
    await api.admin.members.add(tenant.tenantId, bob.user.userId);
    const url = await api.admin.sessions.createSelfServiceSession({
      userId: lead.user.userId,
      tenantId: tenant.tenantId,
    });

    await page.goto(url);
    await page.getByRole('heading', { name: `${tenant.name}: members` }).waitFor();
    const bobCard = page.locator(`li[data-user-id="${bob.user.userId}"]`);
    await bobCard.getByLabel(/Grant role/).selectOption('member');
    await bobCard.getByRole('button', { name: 'Grant' }).first().click();
    await page.getByText(`Granted role member to ${bob.email}.`).waitFor();

    const leadCard = page.locator(`li[data-user-id="${lead.user.userId}"]`);
    await leadCard.getByRole('button', { name: `Revoke role admin from ${lead.email}` }).click();
    const warning = page.getByRole('dialog', { name: 'Revoke admin from yourself?' });
    expect(await warning.textContent()).toContain('you would lose access to this dashboard');
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshotBoth(page, 'self-service-last-admin-role');
    await warning.getByRole('button', { name: 'Cancel' }).click();
    const still = await api.admin.check({
      userId: lead.user.userId,
      checks: [{ role: 'admin', tenantId: tenant.tenantId }],
    });
    expect(still.authorized).toBe(true);
    // Bob's roles are not the lead's own: no question asked.
    await bobCard.getByRole('button', { name: `Revoke role member from ${bob.email}` }).click();
    await page.getByText(`Revoked member from ${bob.email}.`).waitFor();

    await page.reload();
    await page.getByRole('heading', { name: 'This dashboard needs a new link' }).waitFor();
    expect(await page.getByTestId('link-state').getAttribute('data-state')).toBe('needs-link');
    expect(await page.getByText('not valid').count()).toBe(0);
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshotBoth(page, 'self-service-needs-link');
  }, 60_000);

  it('checks: my own session without a token, features too, and a bad token says so in words', async () => {
    const user = await person('checker');
    await api.admin.features.create({ featureId: 'reports', name: 'Reports' });
    await api.admin.entitlements.giveFeature({ userId: user.user.userId }, 'reports');

    await signInWithForm(page, api.url, user.email, PASSWORD);
    await page.getByRole('link', { name: 'Checks' }).click();
    await page.getByRole('heading', { name: 'Checks' }).waitFor();
    expect(await page.getByLabel(/Me \(/).isChecked()).toBe(true);
    expect(await page.getByLabel('Authorization session token').count()).toBe(0);
    await page.getByLabel('Kind of check 1').selectOption('feature');
    await page.getByLabel('feature id of check 1').fill('reports');
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    await page.getByTestId('authorized').waitFor();
    expect(await page.getByTestId('authorized').textContent()).toBe('Authorized');
    expect(await page.getByRole('status').last().textContent()).toContain(user.email);
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshotBoth(page, 'checks-me');

    await page.getByLabel(/A pasted token/).check();
    await page.getByLabel('Authorization session token').fill('not-a-token');
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/invalid or expired token/i);
    expect(await alert.textContent()).not.toContain('API key');
  }, 60_000);
});
