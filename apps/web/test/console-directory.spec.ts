import type { Page } from 'playwright-core';
import { TesseraClient, TesseraError } from '@tessera/client';
import {
  accessibilityProblems,
  screenshotBoth,
  session,
  signInWithForm,
  useChromium,
  type RunningApi,
} from './browser.js';

const PASSWORD = 'correct horse battery staple';
let counter = 0;
const email = (label: string) => `${label}.${Date.now()}.${++counter}@example.test`;

/** A page must be usable by keyboard and screen reader (axe) and fit a phone; then it is pictured. */
async function check(page: Page, name: string) {
  expect(await accessibilityProblems(page)).toEqual([]);
  await screenshotBoth(page, name);
}

describe('the admin console: tenants, roles, pricing, API keys and the audit log', () => {
  const web = useChromium();
  let api: RunningApi;
  let page: Page;
  let boss: { email: string; userId: string };

  beforeAll(async () => {
    api = web.api;
    // A super admin is a user holding the global role super_admin.
    const user = await api.admin.users.create({ email: email('boss'), password: PASSWORD });
    await api.admin.grants.addRole({ userId: user.userId, roleId: 'super_admin' });
    boss = { email: user.email!, userId: user.userId };
  });

  beforeEach(() => {
    ({ api, page } = web);
  });

  it('grants a role with the picker and adds a member found by searching, on a tenant page', async () => {
    const tenant = await api.admin.tenants.create({ name: 'Acme' });
    const bob = await api.admin.users.create({ email: email('bob'), password: PASSWORD });
    await api.admin.grants.addRole({ tenantId: tenant.tenantId, userId: bob.userId, roleId: 'member' });
    const carol = await api.admin.users.create({ email: email('carol') });
    await api.admin.pricingTiers.create({ pricingTierId: 'pro', name: 'Pro' });

    await signInWithForm(page, api.url, boss.email, PASSWORD);
    await page.goto(`${api.url}/console/tenants`);
    await page.getByRole('link', { name: 'Acme' }).click();
    await page.getByRole('heading', { level: 1, name: 'Acme' }).waitFor();

    const bobCard = page.locator(`[data-member="${bob.userId}"]`);
    await bobCard.getByLabel(`Grant to ${bob.email}`).selectOption({ label: 'Manager (manager)' });
    await bobCard.getByRole('button', { name: 'Grant' }).click();
    await page.getByText(`Granted the role manager to ${bob.email}.`).waitFor();
    await bobCard.getByRole('button', { name: `Revoke role manager from ${bob.email}` }).waitFor();
    const bobThere = (await api.admin.members.list(tenant.tenantId)).items.find((m) => m.user.userId === bob.userId);
    expect(bobThere?.roles).toEqual(['manager', 'member']);

    await page.getByLabel('Find a person').fill('carol');
    await page.getByRole('button', { name: new RegExp(carol.email!.replace(/[.]/g, '\\.')) }).click();
    await page.getByRole('button', { name: `Add ${carol.email} to Acme` }).click();
    await page.getByText(`${carol.email} is now a member of Acme.`).waitFor();
    await page.locator(`[data-member="${carol.userId}"]`).waitFor();
    const members = (await api.admin.members.list(tenant.tenantId)).items.map((m) => m.user.userId);
    expect(members).toEqual(expect.arrayContaining([bob.userId, carol.userId]));

    await page.getByLabel('Give this tenant').selectOption({ label: 'Pro (pro)' });
    await page.getByRole('button', { name: 'Give' }).click();
    await page.getByText('Gave the pricing tier pro.').waitFor();
    expect(await api.admin.entitlements.of({ tenantId: tenant.tenantId })).toEqual({
      pricingTiers: ['pro'],
      features: [],
    });
    await check(page, 'console-tenant');

    await page.goto(`${api.url}/console/tenants`);
    await page.getByRole('link', { name: 'Acme' }).waitFor();
    await check(page, 'console-tenants');
  });

  it('creates a role, gives it a permission, and builds a pricing tier from features', async () => {
    await signInWithForm(page, api.url, boss.email, PASSWORD);
    await page.goto(`${api.url}/console/catalog`);
    await page.getByRole('heading', { level: 1, name: 'Roles & permissions' }).waitFor();
    const permissions = page.getByRole('region', { name: 'Permissions', exact: true });
    await permissions.getByLabel('Id').fill('invoices.read');
    await permissions.getByLabel('Name').fill('Read invoices');
    await permissions.getByRole('button', { name: 'Create permission' }).click();
    await page.getByText('Created the permission invoices.read.').waitFor();

    const roles = page.getByRole('region', { name: 'Roles', exact: true });
    await roles.getByLabel('Id').fill('billing');
    await roles.getByLabel('Name').fill('Billing');
    await roles.getByRole('button', { name: 'Create role' }).click();
    await page.getByText('Created the role billing.').waitFor();
    const billing = roles
      .getByRole('listitem')
      .filter({ has: page.getByRole('heading', { name: 'Billing (billing)' }) });
    await billing.getByLabel('Add a permission to billing').selectOption({ label: 'Read invoices (invoices.read)' });
    await billing.getByRole('button', { name: 'Add' }).click();
    await page.getByText('billing now holds invoices.read.').waitFor();
    expect((await api.admin.roles.get('billing')).permissions).toEqual(['invoices.read']);
    // The built-in roles cannot be deleted: no button offers it.
    expect(await roles.getByRole('button', { name: 'Delete admin' }).count()).toBe(0);
    await check(page, 'console-catalog');

    await page.goto(`${api.url}/console/pricing`);
    const features = page.getByRole('region', { name: 'Features', exact: true });
    await features.getByLabel('Id').fill('sso');
    await features.getByRole('button', { name: 'Create feature' }).click();
    await page.getByText('Created the feature sso.').waitFor();
    const tiers = page.getByRole('region', { name: 'Pricing tiers', exact: true });
    await tiers.getByLabel('Id').fill('enterprise');
    await tiers.getByRole('button', { name: 'Create pricing tier' }).click();
    await page.getByText('Created the pricing tier enterprise.').waitFor();
    const enterprise = tiers.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'enterprise' }) });
    await enterprise.getByLabel('Add a feature to enterprise').selectOption({ label: 'sso' });
    await enterprise.getByRole('button', { name: 'Add' }).click();
    await page.getByText('enterprise now holds sso.').waitFor();
    expect((await api.admin.pricingTiers.get('enterprise')).features).toEqual(['sso']);
    await check(page, 'console-pricing');

    await tiers.getByRole('button', { name: 'Delete enterprise' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete pricing tier' }).click();
    await page.getByText('Deleted the pricing tier enterprise.').waitFor();
    const gone = await api.admin.pricingTiers.get('enterprise').catch((e: unknown) => e);
    expect((gone as TesseraError).status).toBe(404);
  });

  it('creates an API key whose secret is shown once, then revokes it', async () => {
    await signInWithForm(page, api.url, boss.email, PASSWORD);
    await page.goto(`${api.url}/console/api-keys`);
    await page.getByLabel('Name').fill('billing backend');
    await page.getByLabel('Role').selectOption('admin');
    await page.getByRole('button', { name: 'Create key' }).click();
    const shown = page.getByTestId('api-key-secret');
    await shown.waitFor();
    const secret = (await shown.textContent())!;
    expect(secret).toMatch(/^tsk_/);
    const backend = new TesseraClient({ baseUrl: api.url, apiKey: secret });
    await expect(backend.tenants.list()).resolves.toHaveProperty('items');
    await page.getByRole('button', { name: 'Copy secret' }).waitFor();
    await check(page, 'console-api-keys');

    await page.getByRole('button', { name: 'I have stored it' }).click();
    expect(await page.getByTestId('api-key-secret').count()).toBe(0);
    await page.reload();
    await page.getByRole('button', { name: 'Revoke billing backend' }).waitFor();
    expect(await page.content()).not.toContain(secret);

    await page.getByRole('button', { name: 'Revoke billing backend' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke key' }).click();
    await page.getByText('Revoked the key billing backend.').waitFor();
    await page.getByText('revoked', { exact: true }).waitFor();
    const refused = await backend.tenants.list().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TesseraError);
    expect((refused as TesseraError).status).toBe(401);
  });

  it('filters the audit log to an impersonation, with who did it, to whom and why', async () => {
    const target = await api.admin.users.create({ email: email('dave') });
    const support = await api.admin.users.create({ email: email('support'), password: PASSWORD });
    await api.admin.grants.addRole({ userId: support.userId, roleId: 'super_admin' });
    const anon = new TesseraClient({ baseUrl: api.url });
    const supportClient = anon.withToken(
      session(await anon.auth.signIn({ email: support.email!, password: PASSWORD })).token,
    );
    await supportClient.admin.createSessionToken({ userId: target.userId, reason: 'Ticket 4711: cannot see invoices' });

    await signInWithForm(page, api.url, boss.email, PASSWORD);
    await page.goto(`${api.url}/console/audit`);
    await page.getByLabel('Type').selectOption('impersonation.started');
    await page.getByRole('button', { name: 'Show events' }).click();
    const line = page.locator('li.event[data-type="impersonation.started"]');
    await line.first().waitFor();
    expect(await page.locator('li.event').count()).toBe(await line.count());
    expect(await line.first().textContent()).toContain(`${support.email} started acting as ${target.email}`);
    expect(await line.first().textContent()).toContain('Ticket 4711: cannot see invoices');
    expect(page.url()).toContain('type=impersonation.started');

    // Narrowed to one person, picked by searching.
    await page.getByLabel('Person (actor or subject)').fill('dave');
    await page.getByRole('button', { name: new RegExp(target.email!.replace(/[.]/g, '\\.')) }).click();
    await page.getByRole('button', { name: 'Show events' }).click();
    await page.waitForURL(/userId=/);
    await line.first().waitFor();
    expect(await line.count()).toBe(1);
    await check(page, 'console-audit');
  });

  it('shows a tenant admin only their tenant, and offers only the roles they hold', async () => {
    const mine = await api.admin.tenants.create({ name: 'Initech' });
    const theirs = await api.admin.tenants.create({ name: 'Hooli' });
    const admin = await api.admin.users.create({ email: email('tenant-admin'), password: PASSWORD });
    const member = await api.admin.users.create({ email: email('peter') });
    await api.admin.grants.addRole({ tenantId: mine.tenantId, userId: admin.userId, roleId: 'admin' });
    await api.admin.grants.addRole({ tenantId: mine.tenantId, userId: member.userId, roleId: 'member' });
    await api.admin.grants.addRole({ tenantId: theirs.tenantId, userId: admin.userId, roleId: 'member' });

    await signInWithForm(page, api.url, admin.email!, PASSWORD);
    await page.goto(`${api.url}/console/tenants`);
    await page.getByRole('link', { name: 'Initech' }).waitFor();
    expect(await page.getByRole('link', { name: 'Hooli' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Create tenant' }).count()).toBe(0);
    await check(page, 'console-tenants-tenant-admin');

    await page.getByRole('link', { name: 'Initech' }).click();
    const card = page.locator(`[data-member="${member.userId}"]`);
    await card.waitFor();
    // The picker offers what the tenant admin holds (admin and its permissions), never `manager`.
    const offered = await card
      .getByLabel(`Grant to ${member.email}`)
      .locator('option')
      .evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));
    expect(offered).toEqual([
      '',
      'role:admin',
      'permission:impersonate-users',
      'permission:view-self-service-dashboard',
    ]);
    // `member` is not theirs to revoke, and removing Peter would revoke it: neither is offered.
    expect(await card.getByRole('button', { name: /Revoke role member/ }).count()).toBe(0);
    expect(await card.getByRole('button', { name: `Remove ${member.email}` }).count()).toBe(0);
    expect(await page.getByRole('heading', { name: 'Entitlements' }).count()).toBe(0);
    await check(page, 'console-tenant-tenant-admin');

    await page.goto(`${api.url}/console/tenants/${theirs.tenantId}`);
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('You do not administer this tenant');
  });
});
