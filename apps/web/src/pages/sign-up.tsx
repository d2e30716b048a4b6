import { useState, type FormEvent } from 'react';
import { anonymous, describe } from '../api.js';
import { NewPasswordFields, newPasswordProblem } from '../new-password.js';
import { Page } from '../page.js';
import { Link } from '../router.js';
import { ErrorAlert } from '../ui/error-alert.js';

/**
 * Creates an account when the server's sign-up is open (TESSERA_SIGN_UP=open); closed, the server
 * answers 403 `sign_up_closed` and this page says so. The answer is the same whether or not the
 * address already has an account: either way, the next step is in the inbox.
 */
export function SignUpPage() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [sent, setSent] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const problem = email.trim() === '' ? 'Enter your email address.' : newPasswordProblem(password, again);
    if (problem) {
      setError(problem);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await anonymous.auth.signUp({ email: email.trim(), password });
      setSent(email.trim());
    } catch (e) {
      setError(describe(e));
    } finally {
      setBusy(false);
    }
  }

  if (sent !== null) {
    return (
      <Page title="Check your inbox">
        <div className="card narrow">
          <p role="status">
            We sent an email to <strong>{sent}</strong>. Open the link in it to confirm your address, then sign in.
          </p>
        </div>
        <p>
          <Link href="/">Back to sign in</Link>
        </p>
      </Page>
    );
  }

  return (
    <Page title="Create an account">
      <form className="card narrow" onSubmit={(e) => void submit(e)} noValidate>
        <label htmlFor="email">Email</label>
        <input
          id="email"
          name="email"
          type="email"
          autoComplete="email"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <NewPasswordFields
          id="new-password"
          label="Password"
          password={password}
          again={again}
          onPassword={setPassword}
          onAgain={setAgain}
        />
        <ErrorAlert message={error} />
        <button type="submit" disabled={busy}>
          {busy ? 'Creating…' : 'Create account'}
        </button>
      </form>
      <p>
        Already have an account? <Link href="/">Sign in</Link>
      </p>
    </Page>
  );
}
