import type { Page } from 'playwright-core';
import { accessibilityProblems, screenshotBoth, signInWithForm, useChromium, type RunningApi } from './browser.js';

const PASSWORD = 'correct horse battery staple';

/**
 * The account pages, as a signed-out visitor and as a signed-in person, each checked by axe-core (no
 * serious or critical violation) and pictured at desktop and phone width. The console's pages and
 * the self-service dashboard are checked in their own specs, where their flows put them in each state.
 */
describe('every account page is accessible and fits a phone (Chromium, axe-core)', () => {
  const web = useChromium({ TESSERA_SIGN_UP: 'open' });
  let api: RunningApi;
  let page: Page;

  beforeEach(() => {
    ({ api, page } = web);
  });

  async function check(path: string, heading: string, name: string) {
    await page.goto(`${api.url}${path}`);
    await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshotBoth(page, name);
  }

  it('signed out: sign-in, forgot password, sign-up, a reset or verification link without its token', async () => {
    await check('/', 'Sign in', 'page-sign-in');
    await check('/forgot-password', 'Forgot your password?', 'page-forgot-password');
    await check('/sign-up', 'Create an account', 'page-sign-up');
    await check('/reset-password', 'This reset link cannot be used', 'page-reset-password-no-link');
    await check('/verify-email', 'This verification link cannot be used', 'page-verify-email-no-link');
  });

  it('signed in: my sessions, account security, checks', async () => {
    const email = `a11y.${Date.now()}@example.test`;
    await api.admin.users.create({ email, password: PASSWORD });
    await signInWithForm(page, api.url, email, PASSWORD);
    await check('/sessions', 'My sessions', 'page-sessions');
    await check('/account', 'Account security', 'page-account');
    await check('/checks', 'Checks', 'page-checks');
  });
});
