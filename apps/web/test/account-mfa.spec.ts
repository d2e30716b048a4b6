import type { Browser, Page } from 'playwright-core';
import { Authenticator, launchBrowser, screenshot, startApi, type RunningApi } from './browser.js';

const PASSWORD = 'correct horse battery staple';

// Its own file, so Jest runs it beside account.spec.ts: both wait for new 30-second TOTP steps.
describe('managing a second factor in Chromium', () => {
  let api: RunningApi;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    api = await startApi();
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await api?.stop();
  });

  beforeEach(async () => {
    page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
  });

  afterEach(async () => {
    await page.close();
  });

  async function signIn(email: string) {
    await page.goto(`${api.url}/`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  it('gets new recovery codes (the old ones stop working) and turns two-step verification off', async () => {
    const email = `manage.${Date.now()}@example.test`;
    const user = await api.admin.users.create({ email, password: PASSWORD });
    await signIn(email);
    await page.getByRole('heading', { name: 'My sessions' }).waitFor();
    await page.getByRole('link', { name: 'Account security' }).click();
    await page.getByLabel('Confirm your password to set it up').fill(PASSWORD);
    await page.getByRole('button', { name: 'Set up two-step verification' }).click();
    const secret = ((await page.getByTestId('totp-secret').textContent()) ?? '').replace(/\s/g, '');
    const phone = new Authenticator(secret);
    await page.getByLabel('Code from the app').fill(await phone.code());
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByRole('heading', { name: /save your recovery codes/ }).waitFor();
    const first = (await page.getByTestId('recovery-codes').locator('li').allTextContents()).map((c) => c.trim());
    await page.getByRole('button', { name: 'I saved my codes' }).click();
    await page.getByText('Two-step verification is on.').waitFor();
    // The keyboard is back at the section, not lost at the top of the page.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('two-step-heading');

    // New recovery codes: the password and a current code.
    const section = page.locator('[data-section="two-step"]');
    await section.getByText('Get new recovery codes').first().click();
    await section.getByLabel('Your password').first().fill(PASSWORD);
    await section
      .getByLabel('Code from the app')
      .first()
      .fill(await phone.code());
    await screenshot(page, 'mfa-on');
    await section.getByRole('button', { name: 'Get new recovery codes', exact: true }).click();
    await page.getByRole('heading', { name: 'Your new recovery codes' }).waitFor();
    const second = (await page.getByTestId('recovery-codes').locator('li').allTextContents()).map((c) => c.trim());
    expect(second).toHaveLength(10);
    expect(second.filter((c) => first.includes(c))).toEqual([]);
    await page.getByRole('button', { name: 'I saved my codes' }).click();
    await page.getByText('Your new recovery codes are ready.').waitFor();

    // An old recovery code no longer signs in; a new one does.
    await page.getByRole('link', { name: 'My sessions' }).click();
    await page.getByRole('main').getByRole('button', { name: 'Sign out', exact: true }).click();
    await signIn(email);
    await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
    await page.getByLabel('Recovery code').fill(first[1]!);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('alert').waitFor();
    // A refused code leaves the challenge usable: the next one completes the sign-in.
    await page.getByLabel('Recovery code').fill(second[1]!);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'My sessions' }).waitFor();

    // Turn it off: the password and a current code; sign-in then asks for no code.
    await page.getByRole('link', { name: 'Account security' }).click();
    await section.getByText('Turn off two-step verification').click();
    await section.getByLabel('Your password').last().fill(PASSWORD);
    await section
      .getByLabel('Code from the app')
      .last()
      .fill(await phone.code());
    await section.getByRole('button', { name: 'Turn off', exact: true }).click();
    await section.getByText('Two-step verification is off.').waitFor();
    await section.getByRole('button', { name: 'Set up two-step verification' }).waitFor();
    expect((await api.admin.users.get(user.userId)).mfa).toBe(false);
    await page.getByRole('link', { name: 'My sessions' }).click();
    await page.getByRole('main').getByRole('button', { name: 'Sign out', exact: true }).click();
    await signIn(email);
    await page.getByRole('heading', { name: 'My sessions' }).waitFor();
  }, 120_000);
});
