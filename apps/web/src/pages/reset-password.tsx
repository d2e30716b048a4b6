import { useState, type FormEvent } from 'react';
import { TesseraError, anonymous, describe, userToken } from '../api.js';
import { forgetLinkToken, linkToken } from '../link-token.js';
import { NewPasswordFields, newPasswordProblem } from '../new-password.js';
import { Page } from '../page.js';
import { Link } from '../router.js';
import { ErrorAlert } from '../ui/error-alert.js';

/**
 * Opened from a reset mail: `/reset-password#token=…`. The token was read and wiped from the
 * address bar before the app started (link-token.ts). A refused password does not use the token up.
 */
export function ResetPasswordPage() {
  const [token] = useState(() => linkToken('/reset-password'));
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [dead, setDead] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const problem = newPasswordProblem(password, again);
    if (problem) {
      setError(problem);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await anonymous.auth.confirmPasswordReset({ token: token!, newPassword: password });
      forgetLinkToken();
      // Every session of the account ended, this tab's included.
      userToken.clear();
      setDone(true);
    } catch (e) {
      if (TesseraError.is(e, 'invalid_token')) {
        forgetLinkToken();
        setDead(describe(e));
      } else setError(describe(e));
    } finally {
      setBusy(false);
    }
  }

  if (done) {
    return (
      <Page title="Your password is changed">
        <div className="card narrow">
          <p role="status">Your new password is set, and every session of your account was signed out.</p>
          <p>
            <Link href="/">Sign in with your new password</Link>
          </p>
        </div>
      </Page>
    );
  }

  if (!token || dead) {
    return (
      <Page title="This reset link cannot be used">
        <div className="card narrow">
          <p data-testid="link-problem">
            {dead ?? 'This page needs the link from a password reset email. Open the whole link from the email.'}
          </p>
          <p>
            <Link href="/forgot-password">Ask for a new reset link</Link>
          </p>
        </div>
      </Page>
    );
  }

  return (
    <Page title="Choose a new password">
      <form className="card narrow" onSubmit={(e) => void submit(e)} noValidate>
        <NewPasswordFields
          id="new-password"
          password={password}
          again={again}
          onPassword={setPassword}
          onAgain={setAgain}
        />
        <ErrorAlert message={error} />
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : 'Set new password'}
        </button>
      </form>
    </Page>
  );
}
