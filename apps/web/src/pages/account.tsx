import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent, type ReactNode } from 'react';
import type { BeginTotpResponse, MfaStatus, TesseraClient, User } from '@tessera/client';
import { TesseraError, describe, userToken, withToken } from '../api.js';
import { NewPasswordFields, newPasswordProblem } from '../new-password.js';
import { Page } from '../page.js';
import { useLocation } from 'react-router';
import { Link } from '../router.js';
import { ErrorAlert } from '../ui/error-alert.js';

/** A wrong password on this page is a wrong password, not a failed sign-in. */
const WRONG_PASSWORD = { invalid_credentials: 'That password is not right.' } as const;
const TAKEN_ADDRESS = 'Another account already uses that email address.';

/** What the history entry carries when another page sent the person here to enrol first. */
export const ENROL_FIRST = { enrolFirst: true } as const;

const when = (iso: string) => new Date(iso).toLocaleString();

/**
 * Account security: the second factor (enrol, turn off, new recovery codes), the email address
 * (verify, change) and the password. Every change asks for the password again.
 */
export function AccountPage() {
  const token = userToken.get();
  const client = useMemo(() => (token ? withToken(token) : null), [token]);
  const [me, setMe] = useState<User | null>(null);
  const [mfa, setMfa] = useState<MfaStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [signedOut, setSignedOut] = useState(false);
  const enrolFirst = (useLocation().state as { enrolFirst?: boolean } | null)?.enrolFirst === true;

  const load = useCallback(async () => {
    if (!client) return;
    try {
      const [current, status] = await Promise.all([client.sessions.current(), client.auth.mfa.status()]);
      setMe(current.user);
      setMfa(status);
      setError(null);
    } catch (e) {
      if (e instanceof TesseraError && e.status === 401) {
        userToken.clear();
        setSignedOut(true);
      }
      setError(describe(e));
    }
  }, [client]);

  useEffect(() => {
    void load();
  }, [load]);

  if (!client || signedOut) {
    return (
      <Page title="Account security">
        <ErrorAlert message={error} />
        <p>
          You are not signed in. <Link href="/">Sign in</Link> to manage your account.
        </p>
      </Page>
    );
  }

  return (
    <Page title="Account security">
      {me && <p className="muted">Signed in as {me.email ?? me.userId}</p>}
      {enrolFirst && mfa && !mfa.totp && (
        <p className="notice" role="alert">
          Your organization requires two-step verification. Set it up below to use your account.
        </p>
      )}
      <ErrorAlert message={error} />
      {!me || !mfa ? (
        <p role="status">Loading…</p>
      ) : (
        <>
          <TwoStep client={client} me={me} status={mfa} onChanged={load} />
          <EmailAddress client={client} me={me} />
          <ChangePassword client={client} />
        </>
      )}
    </Page>
  );
}

/** A section of the page with its heading and a polite status line. */
function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section className="card" aria-labelledby={`${id}-heading`} data-section={id}>
      <h2 id={`${id}-heading`} tabIndex={-1}>
        {title}
      </h2>
      {children}
    </section>
  );
}

function Feedback({ status, error }: { status: string | null; error: string | null }) {
  return (
    <>
      <p className="status" role="status" aria-live="polite">
        {status}
      </p>
      <ErrorAlert message={error} />
    </>
  );
}

/** A labelled input; every one on this page has an id of its own. */
function Field({
  id,
  label,
  type = 'text',
  autoComplete,
  value,
  onChange,
  numeric = false,
}: {
  id: string;
  label: string;
  type?: string;
  autoComplete: string;
  value: string;
  onChange: (value: string) => void;
  numeric?: boolean;
}) {
  return (
    <>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={id}
        type={type}
        autoComplete={autoComplete}
        inputMode={numeric ? 'numeric' : undefined}
        spellCheck={false}
        required
        value={value}
        onChange={(e) => onChange(e.target.value)}
      />
    </>
  );
}

/** A heading that takes focus when it appears: the next step of a flow starts where the keyboard is. */
function StepHeading({ children }: { children: ReactNode }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <h3 ref={heading} tabIndex={-1}>
      {children}
    </h3>
  );
}

/** A code as typed: authenticator apps show it as "123 456". */
const digits = (value: string) => value.replace(/\s/g, '');

/** The secret as an authenticator app's "enter a key" screen wants it: groups of four. */
const grouped = (secret: string) => secret.replace(/(.{4})/g, '$1 ').trim();

type TwoStepView =
  | { step: 'idle' }
  | { step: 'scan'; pending: BeginTotpResponse }
  | { step: 'codes'; codes: string[]; renewed: boolean };

function TwoStep({
  client,
  me,
  status,
  onChanged,
}: {
  client: TesseraClient;
  me: User;
  status: MfaStatus;
  onChanged: () => Promise<void>;
}) {
  const [view, setView] = useState<TwoStepView>({ step: 'idle' });
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // When a step's form goes away, the keyboard goes back to the section's heading, not to the page's start.
  const [refocus, setRefocus] = useState(false);
  useEffect(() => {
    if (!refocus) return;
    document.getElementById('two-step-heading')?.focus();
    setRefocus(false);
  }, [refocus]);

  /** Runs a form's action unless a field is missing (`missing` says which, in words). */
  async function act(event: FormEvent, missing: string | null, action: () => Promise<void>) {
    event.preventDefault();
    setMessage(null);
    if (missing) {
      setError(missing);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (e) {
      setError(
        describe(e, {
          ...WRONG_PASSWORD,
          // Another tab changed it meanwhile: the page reloads what is true now.
          duplicate_record: 'Two-step verification is already on for your account.',
          not_found: 'Two-step verification is not on for your account.',
        }),
      );
      if (TesseraError.is(e, 'duplicate_record') || TesseraError.is(e, 'not_found')) await onChanged();
    } finally {
      setBusy(false);
    }
  }

  const both = (password: string, code: string) =>
    password === '' || code === '' ? 'Enter your password and the code your authenticator app shows.' : null;

  const begin = (event: FormEvent) =>
    act(event, password === '' ? 'Enter your password.' : null, async () => {
      const pending = await client.auth.mfa.beginTotp({ password });
      setPassword('');
      setCode('');
      setView({ step: 'scan', pending });
    });

  const confirm = (event: FormEvent) =>
    act(event, digits(code) === '' ? 'Enter the code your authenticator app shows.' : null, async () => {
      const { recoveryCodes } = await client.auth.mfa.confirmTotp({ code: digits(code) });
      setCode('');
      setView({ step: 'codes', codes: recoveryCodes, renewed: false });
      await onChanged();
    });

  const disable = (event: FormEvent, password: string, code: string) =>
    act(event, both(password, code), async () => {
      const { revoked } = await client.auth.mfa.disableTotp({ password, code });
      await onChanged();
      setRefocus(true);
      setMessage(
        `Two-step verification is off.${revoked > 0 ? ` ${revoked} other ${revoked === 1 ? 'session was' : 'sessions were'} signed out.` : ''}`,
      );
    });

  const renew = (event: FormEvent, password: string, code: string) =>
    act(event, both(password, code), async () => {
      const { recoveryCodes } = await client.auth.mfa.regenerateRecoveryCodes({ password, code });
      setView({ step: 'codes', codes: recoveryCodes, renewed: true });
      await onChanged();
    });

  if (view.step === 'codes') {
    return (
      <Section id="two-step" title="Two-step verification">
        <RecoveryCodes
          codes={view.codes}
          renewed={view.renewed}
          email={me.email ?? me.userId}
          onDone={() => {
            setView({ step: 'idle' });
            setRefocus(true);
            setMessage(view.renewed ? 'Your new recovery codes are ready.' : 'Two-step verification is on.');
          }}
        />
      </Section>
    );
  }

  if (view.step === 'scan') {
    const { qrSvg, secret } = view.pending;
    return (
      <Section id="two-step" title="Two-step verification">
        <StepHeading>Scan this QR code with your authenticator app</StepHeading>
        <p>
          Use an app such as Google Authenticator, Microsoft Authenticator, 1Password or Aegis. It then shows a new
          6-digit code every 30 seconds.
        </p>
        {/* Our own server drew it; as an image it can run nothing either way. */}
        <img
          className="qr"
          src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(qrSvg)}`}
          alt="QR code that adds Tessera to your authenticator app"
          width={200}
          height={200}
        />
        <p>
          Cannot scan it? Enter this key in the app instead:{' '}
          <code className="secret" data-testid="totp-secret" data-secret={secret}>
            {grouped(secret)}
          </code>
        </p>
        <form onSubmit={(e) => void confirm(e)} noValidate>
          <Field
            id="enrol-code"
            label="Code from the app"
            autoComplete="one-time-code"
            numeric
            value={code}
            onChange={setCode}
          />
          <Feedback status={null} error={error} />
          <div className="actions">
            <button type="submit" disabled={busy}>
              {busy ? 'Checking…' : 'Turn on'}
            </button>
            <button
              type="button"
              className="secondary"
              onClick={() => {
                setView({ step: 'idle' });
                setError(null);
                setRefocus(true);
              }}
            >
              Cancel
            </button>
          </div>
        </form>
      </Section>
    );
  }

  if (!status.totp) {
    return (
      <Section id="two-step" title="Two-step verification">
        <p>
          <span className="badge muted">Off</span> Besides your password, ask for a code from an app on your phone when
          you sign in.
        </p>
        <p className="status" role="status" aria-live="polite">
          {message}
        </p>
        <form onSubmit={(e) => void begin(e)} noValidate>
          <Field
            id="enrol-password"
            label="Confirm your password to set it up"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={setPassword}
          />
          <Feedback status={null} error={error} />
          <button type="submit" disabled={busy}>
            Set up two-step verification
          </button>
        </form>
      </Section>
    );
  }

  const few = status.recoveryCodesLeft <= 3;
  return (
    <Section id="two-step" title="Two-step verification">
      <p>
        <span className="badge on">On</span> Signing in asks for a code from your authenticator app.{' '}
        <span className={few ? 'warn' : undefined} data-testid="recovery-codes-left">
          {status.recoveryCodesLeft} of 10 recovery codes left.
        </span>
        {few && ' Get new ones before they run out.'}
      </p>
      <Feedback status={message} error={error} />
      <PasswordAndCode
        id="renew"
        summary="Get new recovery codes"
        note="Your current recovery codes stop working."
        button="Get new recovery codes"
        busy={busy}
        onSubmit={renew}
      />
      <PasswordAndCode
        id="disable"
        summary="Turn off two-step verification"
        note="Your other sessions are signed out."
        button="Turn off"
        danger
        busy={busy}
        onSubmit={disable}
      />
    </Section>
  );
}

/** A change to the second factor behind a disclosure: it asks for the password and a current code. */
function PasswordAndCode({
  id,
  summary,
  note,
  button,
  danger = false,
  busy,
  onSubmit,
}: {
  id: string;
  summary: string;
  note: string;
  button: string;
  danger?: boolean;
  busy: boolean;
  onSubmit: (event: FormEvent, password: string, code: string) => Promise<void>;
}) {
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  return (
    <details>
      <summary>{summary}</summary>
      <form onSubmit={(e) => void onSubmit(e, password, digits(code))} noValidate>
        <p className="muted">{note}</p>
        <Field
          id={`${id}-password`}
          label="Your password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={setPassword}
        />
        <Field
          id={`${id}-code`}
          label="Code from the app"
          autoComplete="one-time-code"
          numeric
          value={code}
          onChange={setCode}
        />
        <button type="submit" className={danger ? 'danger' : undefined} disabled={busy}>
          {button}
        </button>
      </form>
    </details>
  );
}

/** The recovery codes, shown this once: copy them, download them, then say they are saved. */
function RecoveryCodes({
  codes,
  renewed,
  email,
  onDone,
}: {
  codes: string[];
  renewed: boolean;
  email: string;
  onDone: () => void;
}) {
  const [message, setMessage] = useState<string | null>(null);
  const list = useRef<HTMLOListElement>(null);
  const text = [
    `Tessera recovery codes for ${email}`,
    `Created ${new Date().toLocaleString()}. Each code signs you in once; keep them somewhere safe.`,
    '',
    ...codes,
    '',
  ].join('\n');

  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setMessage('Copied the codes to the clipboard.');
    } catch {
      // No clipboard here (an insecure origin, a denied permission): select them for a manual copy.
      const selection = window.getSelection();
      if (list.current && selection) selection.selectAllChildren(list.current);
      setMessage('This browser did not allow copying. The codes are selected: copy them with your keyboard.');
    }
  }

  function download() {
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = 'tessera-recovery-codes.txt';
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
    setMessage('Downloaded tessera-recovery-codes.txt.');
  }

  return (
    <>
      <StepHeading>
        {renewed ? 'Your new recovery codes' : 'Two-step verification is on: save your recovery codes'}
      </StepHeading>
      <p>
        If you lose your phone, each of these codes signs you in once instead of a code from the app.{' '}
        <strong>They are shown only now.</strong>
        {renewed && ' Your old recovery codes no longer work.'}
      </p>
      <ol className="codes" ref={list} data-testid="recovery-codes" aria-label="Recovery codes">
        {codes.map((c) => (
          <li key={c}>
            <code>{c}</code>
          </li>
        ))}
      </ol>
      <div className="actions">
        <button type="button" className="secondary" onClick={() => void copy()}>
          Copy codes
        </button>
        <button type="button" className="secondary" onClick={download}>
          Download (.txt)
        </button>
        <button type="button" onClick={onDone}>
          I saved my codes
        </button>
      </div>
      <p className="status" role="status" aria-live="polite">
        {message}
      </p>
    </>
  );
}

function EmailAddress({ client, me }: { client: TesseraClient; me: User }) {
  const [newEmail, setNewEmail] = useState('');
  const [password, setPassword] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function run(action: () => Promise<string>) {
    setBusy(true);
    setError(null);
    setMessage(null);
    try {
      setMessage(await action());
    } catch (e) {
      setError(describe(e, { ...WRONG_PASSWORD, duplicate_record: TAKEN_ADDRESS }));
    } finally {
      setBusy(false);
    }
  }

  const verify = () =>
    run(async () => {
      await client.auth.requestEmailVerification();
      return `Check your inbox: we sent a verification link to ${me.email}.`;
    });

  const change = (event: FormEvent) => {
    event.preventDefault();
    const to = newEmail.trim();
    if (to === '' || password === '') {
      setError('Enter the new address and your password.');
      return;
    }
    void run(async () => {
      await client.auth.changeEmail({ password, newEmail: to });
      setPassword('');
      setNewEmail('');
      return `Check your inbox at ${to}: open the link we sent there to complete the change. Until then, you sign in with ${me.email}.`;
    });
  };

  return (
    <Section id="email" title="Email address">
      <p>
        {me.email ?? 'No email address'}{' '}
        {me.email &&
          (me.emailVerifiedAt ? (
            <span className="badge on" title={`Verified ${when(me.emailVerifiedAt)}`}>
              Verified
            </span>
          ) : (
            <span className="badge warn">Not verified</span>
          ))}
      </p>
      {me.email && !me.emailVerifiedAt && (
        <button type="button" className="secondary" onClick={() => void verify()} disabled={busy}>
          Send me a verification link
        </button>
      )}
      <Feedback status={message} error={error} />
      <details>
        <summary>Change email address</summary>
        <form onSubmit={change} noValidate>
          <Field
            id="change-email-new"
            label="New email address"
            type="email"
            autoComplete="email"
            value={newEmail}
            onChange={setNewEmail}
          />
          <Field
            id="change-email-password"
            label="Your password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={setPassword}
          />
          <button type="submit" disabled={busy}>
            Send confirmation link
          </button>
        </form>
      </details>
    </Section>
  );
}

function ChangePassword({ client }: { client: TesseraClient }) {
  const [current, setCurrent] = useState('');
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [signOutOthers, setSignOutOthers] = useState(true);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setMessage(null);
    const problem = current === '' ? 'Enter your current password.' : newPasswordProblem(password, again);
    if (problem) {
      setError(problem);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const { revoked } = await client.auth.changePassword({
        currentPassword: current,
        newPassword: password,
        revokeOtherSessions: signOutOthers,
      });
      setCurrent('');
      setPassword('');
      setAgain('');
      setMessage(
        `Your password is changed.${revoked > 0 ? ` ${revoked} other ${revoked === 1 ? 'session was' : 'sessions were'} signed out.` : ''}`,
      );
    } catch (e) {
      setError(describe(e, { invalid_credentials: 'Your current password is not right.' }));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Section id="password" title="Password">
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Field
          id="current-password"
          label="Current password"
          type="password"
          autoComplete="current-password"
          value={current}
          onChange={setCurrent}
        />
        <NewPasswordFields
          id="changed-password"
          password={password}
          again={again}
          onPassword={setPassword}
          onAgain={setAgain}
        />
        <label className="check" htmlFor="sign-out-others">
          <input
            id="sign-out-others"
            type="checkbox"
            checked={signOutOthers}
            onChange={(e) => setSignOutOthers(e.target.checked)}
          />
          Sign out my other sessions
        </label>
        <Feedback status={message} error={error} />
        <button type="submit" disabled={busy}>
          Change password
        </button>
      </form>
    </Section>
  );
}
