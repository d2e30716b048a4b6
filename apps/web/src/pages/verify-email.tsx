import { useEffect, useRef, useState } from 'react';
import { anonymous, describe, userToken } from '../api.js';
import { forgetLinkToken, linkToken } from '../link-token.js';
import { Page } from '../page.js';
import { Link } from '../router.js';

type Outcome = { state: 'loading' } | { state: 'verified'; email: string | null } | { state: 'failed'; why: string };

/**
 * Opened from a verification mail (`/verify-email#token=…`), for a new account or a change of
 * address. The token was read and wiped from the address bar before the app started; it is sent once.
 */
export function VerifyEmailPage() {
  const [outcome, setOutcome] = useState<Outcome>({ state: 'loading' });
  const sent = useRef(false);

  useEffect(() => {
    if (sent.current) return; // StrictMode runs effects twice; a token works once.
    sent.current = true;
    const token = linkToken('/verify-email');
    forgetLinkToken();
    if (!token) {
      setOutcome({
        state: 'failed',
        why: 'This page needs the link from a verification email. Open the whole link from the email.',
      });
      return;
    }
    anonymous.auth
      .verifyEmail({ token })
      .then(({ user }) => setOutcome({ state: 'verified', email: user.email }))
      .catch((e: unknown) =>
        setOutcome({
          state: 'failed',
          // Completing a change of address that another account took meanwhile.
          why: describe(e, { duplicate_record: 'Another account already uses that email address.' }),
        }),
      );
  }, []);

  if (outcome.state === 'loading') {
    return (
      <Page title="Verifying your email address…">
        <p role="status">One moment.</p>
      </Page>
    );
  }
  if (outcome.state === 'failed') {
    return (
      <Page title="This verification link cannot be used">
        <div className="card narrow">
          <p data-testid="link-problem">{outcome.why}</p>
          <p className="muted">
            Signed in? You can ask for a new link under <Link href="/account">Account security</Link>.
          </p>
        </div>
      </Page>
    );
  }
  return (
    <Page title="Your email address is verified">
      <div className="card narrow">
        <p role="status">
          Thank you. <strong>{outcome.email}</strong> is verified: it is the address you sign in with.
        </p>
        <p>
          <Link href={userToken.get() ? '/account' : '/'}>{userToken.get() ? 'Back to your account' : 'Sign in'}</Link>
        </p>
      </div>
    </Page>
  );
}
