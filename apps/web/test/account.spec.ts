import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { TesseraClient, type TesseraError } from '@tessera/client';
import { SmtpSink, type ReceivedMail } from '../../api/test/smtp.js';
import { Authenticator, freePort, launchBrowser, screenshot, session, startApi, type RunningApi } from './browser.js';

const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'a brand new passphrase for tessera';

/** The link a mail carries to `page` (`…/reset-password#token=…`), as the person would click it. */
function linkIn(mail: ReceivedMail, page: 'reset-password' | 'verify-email'): string {
  const match = new RegExp(`https?://[^\\s"<>]+/${page}#token=[A-Za-z0-9_-]+`).exec(mail.text);
  if (!match) throw new Error(`no /${page} link in: ${mail.text}`);
  return match[0];
}

describe('account security in Chromium, with mail over real SMTP', () => {
  let sink: SmtpSink;
  let api: RunningApi;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    sink = await new SmtpSink().start();
    // The links in the mails name the API that serves the web app: its port is chosen first.
    const port = await freePort();
    api = await startApi(
      {
        TESSERA_SMTP_URL: sink.url,
        TESSERA_MAIL_FROM: 'Tessera <tessera@example.test>',
        TESSERA_PUBLIC_URL: `http://127.0.0.1:${port}`,
        TESSERA_SIGN_UP: 'open',
      },
      { port },
    );
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await api?.stop();
    await sink?.close();
  });

  beforeEach(async () => {
    page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
  });

  afterEach(async () => {
    await page.close();
  });

  async function signIn(email: string, password: string) {
    await page.goto(`${api.url}/`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  async function signOut() {
    await page.getByRole('link', { name: 'My sessions' }).click();
    await page.getByRole('main').getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  }

  it('enrols a second factor, signs in with a code and with a recovery code, resets a forgotten password from the mailed link', async () => {
    const email = `mfa.${Date.now()}@example.test`;
    const user = await api.admin.users.create({ email, password: PASSWORD });

    // Enrol: password, then the QR code and the key, then a first code, then the recovery codes.
    await signIn(email, PASSWORD);
    await page.getByRole('heading', { name: 'My sessions' }).waitFor();
    await page.getByRole('link', { name: 'Account security' }).click();
    await page.getByRole('heading', { name: 'Account security' }).waitFor();
    await page.getByText('Not verified').waitFor();
    await screenshot(page, 'account-security');

    await page.getByLabel('Confirm your password to set it up').fill('not my password');
    await page.getByRole('button', { name: 'Set up two-step verification' }).click();
    await page.getByText('That password is not right.').waitFor();
    await page.getByLabel('Confirm your password to set it up').fill(PASSWORD);
    await page.getByRole('button', { name: 'Set up two-step verification' }).click();
    await page.getByRole('heading', { name: 'Scan this QR code with your authenticator app' }).waitFor();
    const qr = page.getByRole('img', { name: /QR code/ });
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml;/);
    // The browser drew it: an SVG that failed to load has no natural size.
    expect(await qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    const secret = ((await page.getByTestId('totp-secret').textContent()) ?? '').replace(/\s/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    await screenshot(page, 'mfa-enrol-qr');

    const phone = new Authenticator(secret);
    await page.getByLabel('Code from the app').fill('000000');
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('That code is not right');
    await page.getByLabel('Code from the app').fill(await phone.code());
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByRole('heading', { name: /save your recovery codes/ }).waitFor();
    const codes = (await page.getByTestId('recovery-codes').locator('li').allTextContents()).map((c) => c.trim());
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);

    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: api.url });
    await page.getByRole('button', { name: 'Copy codes' }).click();
    await page.getByText('Copied the codes to the clipboard.').waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    for (const code of codes) expect(copied).toContain(code);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download (.txt)' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('tessera-recovery-codes.txt');
    const saved = readFileSync(await download.path(), 'utf8');
    for (const code of codes) expect(saved).toContain(code);
    await screenshot(page, 'mfa-recovery-codes');

    await page.getByRole('button', { name: 'I saved my codes' }).click();
    await page.getByText('Two-step verification is on.').waitFor();
    expect(await page.getByTestId('recovery-codes-left').textContent()).toBe('10 of 10 recovery codes left.');
    expect((await api.admin.users.get(user.userId)).mfa).toBe(true);
    await signOut();

    // Sign-in's second step with a code from the app.
    await signIn(email, PASSWORD);
    await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('tessera.userToken'))).toBeNull();
    await screenshot(page, 'sign-in-second-factor');
    await page.getByLabel('Authentication code').fill(await phone.code());
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'My sessions' }).waitFor();
    await signOut();

    // And with a recovery code, which then works no more.
    await signIn(email, PASSWORD);
    await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
    await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
    await page.getByLabel('Recovery code').fill(codes[0]!);
    await screenshot(page, 'sign-in-recovery-code');
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'My sessions' }).waitFor();
    await page.getByRole('link', { name: 'Account security' }).click();
    await page.getByText('9 of 10 recovery codes left.').waitFor();
    await signOut();
    await signIn(email, PASSWORD);
    await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
    await page.getByLabel('Recovery code').fill(codes[0]!);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain(
      'That recovery code is not right, or it was already used',
    );

    // Forgot password: the same words for an unknown address and a known one; mail only for the known.
    await page.goto(`${api.url}/`);
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByRole('heading', { name: 'Forgot your password?' }).waitFor();
    await screenshot(page, 'forgot-password');
    const nobody = `nobody.${Date.now()}@example.test`;
    await page.getByLabel('Email').fill(nobody);
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
    const unknownWords = (await page.getByRole('status').textContent())!.replace(nobody, '<address>');
    await page.getByRole('button', { name: 'Ask again' }).click();
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
    expect((await page.getByRole('status').textContent())!.replace(email, '<address>')).toBe(unknownWords);
    await screenshot(page, 'forgot-password-sent');

    // The link from the mail, read from a real SMTP server.
    const mail = await sink.next(email, (m) => m.text.includes('/reset-password#token='), 30_000);
    expect(sink.to(nobody)).toEqual([]);
    const link = linkIn(mail, 'reset-password');
    expect(link.startsWith(`${api.url}/reset-password#token=`)).toBe(true);
    await page.goto(link);
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    // The token left the address bar (and the history) before anything else happened.
    expect(new URL(page.url()).hash).toBe('');
    expect(await page.evaluate(() => window.location.href)).toBe(`${api.url}/reset-password`);
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('New password again').fill('something else');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.getByText('The two passwords are not the same.').waitFor();
    await page.getByLabel('New password', { exact: true }).fill('password');
    await page.getByLabel('New password again').fill('password');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /most common passwords/ })
      .waitFor();
    await screenshot(page, 'reset-password-weak');
    // A refused password did not use the token up.
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('New password again').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.getByRole('heading', { name: 'Your password is changed' }).waitFor();
    await screenshot(page, 'reset-password-done');
    const old = await new TesseraClient({ baseUrl: api.url }).auth
      .signIn({ email, password: PASSWORD })
      .catch((e: unknown) => e);
    expect((old as TesseraError).code).toBe('invalid_credentials');

    // Sign in with the new password (and the second factor, which a reset leaves on).
    await page.getByRole('link', { name: 'Sign in with your new password' }).click();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
    await page.getByLabel('Authentication code').fill(await phone.code());
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'My sessions' }).waitFor();

    // The link works once.
    await page.goto(link);
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    await page.getByLabel('New password', { exact: true }).fill(`${NEW_PASSWORD} again`);
    await page.getByLabel('New password again').fill(`${NEW_PASSWORD} again`);
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.getByRole('heading', { name: 'This reset link cannot be used' }).waitFor();
    expect(await page.getByTestId('link-problem').textContent()).toContain('already used');
    await screenshot(page, 'reset-password-used-link');
  }, 150_000);

  it('signs up, verifies the address from the mailed link, changes it from the account page', async () => {
    const stamp = Date.now();
    const email = `new.${stamp}@example.test`;
    await page.goto(`${api.url}/sign-up`);
    await page.getByRole('heading', { name: 'Create an account' }).waitFor();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(email);
    await page.getByLabel('Password again').fill(email);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toBe('The password must not be your email address.');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Password again').fill(PASSWORD);
    await screenshot(page, 'sign-up');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();

    const welcome = await sink.next(email, (m) => m.text.includes('/verify-email#token='), 30_000);
    await page.goto(linkIn(welcome, 'verify-email'));
    await page.getByRole('heading', { name: 'Your email address is verified' }).waitFor();
    expect(new URL(page.url()).hash).toBe('');
    expect(await page.getByRole('status').textContent()).toContain(email);
    await screenshot(page, 'verify-email');

    // Signed in, the account page shows the address verified; a change waits for the new inbox.
    const moved = `moved.${stamp}@example.test`;
    await signIn(email, PASSWORD);
    await page.getByRole('heading', { name: 'My sessions' }).waitFor();
    await page.getByRole('link', { name: 'Account security' }).click();
    const emailSection = page.locator('[data-section="email"]');
    await emailSection.getByText('Verified', { exact: true }).waitFor();
    await emailSection.getByText('Change email address').click();
    await emailSection.getByLabel('New email address').fill(moved);
    await emailSection.getByLabel('Your password').fill('not my password');
    await emailSection.getByRole('button', { name: 'Send confirmation link' }).click();
    await emailSection.getByText('That password is not right.').waitFor();
    await emailSection.getByLabel('Your password').fill(PASSWORD);
    await emailSection.getByRole('button', { name: 'Send confirmation link' }).click();
    await emailSection.getByText(`Check your inbox at ${moved}`).waitFor();
    await screenshot(page, 'account-change-email');

    const confirm = await sink.next(moved, (m) => m.text.includes('/verify-email#token='), 30_000);
    await page.goto(linkIn(confirm, 'verify-email'));
    await page.getByRole('heading', { name: 'Your email address is verified' }).waitFor();
    expect(await page.getByRole('status').textContent()).toContain(moved);
    const signedIn = session(
      await new TesseraClient({ baseUrl: api.url }).auth.signIn({ email: moved, password: PASSWORD }),
    );
    expect(signedIn.user.email).toBe(moved);

    // Change the password on the account page.
    await page.getByRole('link', { name: 'Back to your account' }).click();
    const passwordSection = page.locator('[data-section="password"]');
    await passwordSection.getByLabel('Current password').fill(PASSWORD);
    await passwordSection.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await passwordSection.getByLabel('New password again').fill(NEW_PASSWORD);
    await passwordSection.getByRole('button', { name: 'Change password' }).click();
    await passwordSection.getByText(/Your password is changed\. 1 other session was signed out\./).waitFor();
    const ended = await new TesseraClient({ baseUrl: api.url, token: signedIn.token }).sessions
      .current()
      .catch((e: unknown) => e);
    expect((ended as TesseraError).code).toBe('token_revoked');
  }, 90_000);

  it('sends a person whom TESSERA_REQUIRE_MFA covers to enrol before anything else', async () => {
    const strict = await startApi({ TESSERA_REQUIRE_MFA: 'all' });
    try {
      const email = `strict.${Date.now()}@example.test`;
      await strict.admin.users.create({ email, password: PASSWORD });
      await page.goto(`${strict.url}/`);
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Account security' }).waitFor();
      await page.getByText('Your organization requires two-step verification.').waitFor();
      await screenshot(page, 'account-enrol-first');

      await page.getByLabel('Confirm your password to set it up').fill(PASSWORD);
      await page.getByRole('button', { name: 'Set up two-step verification' }).click();
      const secret = ((await page.getByTestId('totp-secret').textContent()) ?? '').replace(/\s/g, '');
      await page.getByLabel('Code from the app').fill(await new Authenticator(secret).code());
      await page.getByRole('button', { name: 'Turn on' }).click();
      await page.getByRole('button', { name: 'I saved my codes' }).click();
      expect(await page.getByText('Your organization requires two-step verification.').count()).toBe(0);
      // Enrolled, the same session may do the rest.
      await page.getByRole('link', { name: 'My sessions' }).click();
      await page.locator('tr.current').waitFor();
    } finally {
      await strict.stop();
    }
  }, 60_000);
});
