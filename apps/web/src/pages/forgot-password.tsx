import { useState, type FormEvent } from 'react';
import { TesseraError, anonymous, describe } from '../api.js';
import { Page } from '../page.js';
import { Link } from '../router.js';
import { ErrorAlert } from '../ui/error-alert.js';

/**
 * Asks for a reset link. The answer is the same whether or not the address has an account (the
 * server answers 202 before it looks), and so is what this page says.
 */
export function ForgotPasswordPage() {
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (email.trim() === '') {
      setError('Enter the email address you sign in with.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await anonymous.auth.requestPasswordReset({ email: email.trim() });
      setSent(email.trim());
    } catch (e) {
      // Only the request's own faults (too many requests, no connection) are told apart.
      setError(TesseraError.is(e, 'invalid_request') ? 'Enter the email address you sign in with.' : describe(e));
    } finally {
      setBusy(false);
    }
  }

  if (sent !== null) {
    return (
      <Page title="Check your inbox">
        <div className="card narrow">
          <p role="status">
            If an account uses <strong>{sent}</strong>, we sent it an email with a link to choose a new password. The
            link works for 1 hour.
          </p>
          <p className="muted">No email after a few minutes? Check your spam folder, or ask again.</p>
          <button type="button" className="secondary" onClick={() => setSent(null)}>
            Ask again
          </button>
        </div>
        <p>
          <Link href="/">Back to sign in</Link>
        </p>
      </Page>
    );
  }

  return (
    <Page title="Forgot your password?">
      <form className="card narrow" onSubmit={(e) => void submit(e)} noValidate>
        <p>Enter the email address you sign in with. We will send you a link to choose a new password.</p>
        <label htmlFor="email">Email</label>
        <input
          id="email"
          name="email"
          type="email"
          autoComplete="username"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <ErrorAlert message={error} />
        <button type="submit" disabled={busy}>
          {busy ? 'Sending…' : 'Send reset link'}
        </button>
      </form>
      <p>
        <Link href="/">Back to sign in</Link>
      </p>
    </Page>
  );
}
