import { useEffect, useRef, useState, type FormEvent } from 'react';
import { isMfaChallenge, type SignInResponse } from '@tessera/client';
import { TesseraError, anonymous, describe, userToken } from '../api.js';
import { Page } from '../page.js';
import { Link, navigate } from '../router.js';
import { ErrorAlert } from '../ui/error-alert.js';

/** Sign-in's second step: the challenge the first step answered with (it lives 5 minutes, once). */
interface Challenge {
  challenge: string;
  expiresAt: string;
}

export function SignInPage() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [challenge, setChallenge] = useState<Challenge | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  function signedIn({ token }: SignInResponse) {
    userToken.set(token);
    navigate('/');
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      const result = await anonymous.auth.signIn({ email, password });
      if (isMfaChallenge(result)) {
        setPassword('');
        setChallenge({ challenge: result.challenge, expiresAt: result.expiresAt });
      } else signedIn(result);
    } catch (e) {
      setError(describe(e));
    } finally {
      setBusy(false);
    }
  }

  if (challenge) {
    return (
      <SecondStep
        challenge={challenge}
        onSignedIn={signedIn}
        onRestart={(why) => {
          setChallenge(null);
          setNotice(why);
        }}
      />
    );
  }

  return (
    <Page title="Sign in">
      <form className="card narrow" onSubmit={(e) => void submit(e)} noValidate>
        {notice && (
          <p className="error" role="alert">
            {notice}
          </p>
        )}
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
        <label htmlFor="password">Password</label>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <ErrorAlert message={error} />
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p>
        <Link href="/forgot-password">Forgot your password?</Link>
      </p>
      <p>
        New here? <Link href="/sign-up">Create an account</Link>
      </p>
    </Page>
  );
}

/** The second factor: a code from the authenticator app, or one of the recovery codes. */
function SecondStep({
  challenge,
  onSignedIn,
  onRestart,
}: {
  challenge: Challenge;
  onSignedIn: (result: SignInResponse) => void;
  onRestart: (why: string | null) => void;
}) {
  const [recovery, setRecovery] = useState(false);
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  // Switching between a code and a recovery code keeps the keyboard in the field.
  const switched = useRef(false);
  useEffect(() => {
    if (switched.current) input.current?.focus();
  }, [recovery]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const entered = recovery ? value.trim() : value.replace(/\s/g, '');
    if (entered === '') {
      setError(recovery ? 'Enter one of your recovery codes.' : 'Enter the code your authenticator app shows.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      onSignedIn(
        await anonymous.auth.signInMfa(
          recovery
            ? { challenge: challenge.challenge, recoveryCode: entered }
            : { challenge: challenge.challenge, code: entered },
        ),
      );
    } catch (e) {
      if (TesseraError.is(e, 'token_expired')) {
        onRestart('This sign-in took longer than 5 minutes. Enter your email and password again.');
        return;
      }
      setError(
        describe(e, {
          invalid_otp: recovery
            ? 'That recovery code is not right, or it was already used. Each recovery code works once.'
            : 'That code is not right, or it was already used. Wait for the next code in your authenticator app and enter it.',
          // The challenge is gone (used, or unknown to the server): only a fresh sign-in helps.
          unauthorized: 'This sign-in can no longer be completed. Enter your email and password again.',
        }),
      );
      setValue('');
    } finally {
      setBusy(false);
    }
  }

  return (
    <Page title="Two-step verification">
      <form className="card narrow" onSubmit={(e) => void submit(e)} noValidate>
        <p>
          {recovery
            ? 'Enter one of the recovery codes you saved when you set up two-step verification. Each works once.'
            : 'Open your authenticator app and enter the 6-digit code it shows for Tessera.'}
        </p>
        <label htmlFor="second-factor">{recovery ? 'Recovery code' : 'Authentication code'}</label>
        <input
          id="second-factor"
          ref={input}
          key={recovery ? 'recovery' : 'code'}
          name={recovery ? 'recovery-code' : 'code'}
          autoComplete={recovery ? 'off' : 'one-time-code'}
          inputMode={recovery ? 'text' : 'numeric'}
          spellCheck={false}
          autoCapitalize="off"
          required
          value={value}
          onChange={(e) => setValue(e.target.value)}
        />
        <ErrorAlert message={error} />
        <div className="actions">
          <button type="submit" disabled={busy}>
            {busy ? 'Checking…' : 'Verify'}
          </button>
          <button
            type="button"
            className="secondary"
            onClick={() => {
              switched.current = true;
              setRecovery(!recovery);
              setValue('');
              setError(null);
            }}
          >
            {recovery ? 'Use a code from the app instead' : 'Use a recovery code instead'}
          </button>
        </div>
      </form>
      <p>
        <button type="button" className="link" onClick={() => onRestart(null)}>
          Start over with another account
        </button>
      </p>
    </Page>
  );
}
