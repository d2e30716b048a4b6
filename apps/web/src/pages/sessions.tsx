import { useCallback, useEffect, useState } from 'react';
import type { Session, User } from '@tessera/client';
import { TesseraError, describe, userToken, withToken } from '../api.js';
import { Page } from '../page.js';
import { device } from '../device.js';
import { Link, navigate } from '../router.js';
import { ENROL_FIRST } from './account.js';
import { ErrorAlert } from '../ui/error-alert.js';

const when = (iso: string) => new Date(iso).toLocaleString();

export function SessionsPage() {
  const token = userToken.get();
  const [me, setMe] = useState<User | null>(null);
  const [sessions, setSessions] = useState<Session[]>([]);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const fail = useCallback((e: unknown) => {
    // A session that must enrol a second factor first may only do that.
    if (TesseraError.is(e, 'mfa_enrollment_required')) {
      navigate('/account', ENROL_FIRST);
      return;
    }
    if (e instanceof TesseraError && e.status === 401) {
      userToken.clear();
      setMe(null);
    }
    setError(describe(e));
  }, []);

  const load = useCallback(async () => {
    if (!token) return;
    try {
      const client = withToken(token);
      const [current, page] = await Promise.all([client.sessions.current(), client.sessions.list({ limit: 100 })]);
      setMe(current.user);
      setSessions(page.items);
    } catch (e) {
      fail(e);
    }
  }, [token, fail]);

  useEffect(() => {
    void load();
  }, [load]);

  if (!token || (!me && error)) {
    return (
      <Page title="My sessions">
        <ErrorAlert message={error} />
        <p>
          You are not signed in. <Link href="/">Sign in</Link> to see your sessions.
        </p>
      </Page>
    );
  }

  async function end(session: Session) {
    try {
      await withToken(token!).sessions.revoke(session.id);
      if (session.current) {
        userToken.clear();
        navigate('/');
        return;
      }
      // Refresh first: the message then describes a list that is already up to date.
      await load();
      setMessage('Session ended.');
    } catch (e) {
      fail(e);
    }
  }

  async function signOut(all: boolean) {
    try {
      const { revoked } = await withToken(token!).auth.signOut({ all });
      userToken.clear();
      setMessage(all ? `Signed out everywhere (${revoked} sessions ended).` : 'Signed out.');
      navigate('/');
    } catch (e) {
      fail(e);
    }
  }

  return (
    <Page title="My sessions">
      {me && <p className="muted">Signed in as {me.email ?? me.userId}</p>}
      <p className="status" role="status" aria-live="polite">
        {message}
      </p>
      <ErrorAlert message={error} />
      <div className="table-wrap">
        <table>
          <caption className="sr-only">Your active sessions</caption>
          <thead>
            <tr>
              <th scope="col">Device</th>
              <th scope="col">IP address</th>
              <th scope="col">Last used</th>
              <th scope="col">Expires</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {sessions.map((s) => (
              <tr key={s.id} data-session-id={s.id} className={s.current ? 'current' : undefined}>
                <td>
                  {device(s.userAgent)} {s.current && <span className="badge">This device</span>}
                  {s.type !== 'user' && <span className="badge muted">{s.type}</span>}
                </td>
                <td>{s.ip ?? '—'}</td>
                <td>{when(s.lastUsedAt)}</td>
                <td>{when(s.expiresAt)}</td>
                <td>
                  <button
                    type="button"
                    className="secondary"
                    onClick={() => void end(s)}
                    aria-label={`End session on ${device(s.userAgent)}${s.current ? ' (this device)' : ''}`}
                  >
                    End
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="actions">
        <button type="button" onClick={() => void signOut(false)}>
          Sign out
        </button>
        <button type="button" className="danger" onClick={() => void signOut(true)}>
          Sign out everywhere
        </button>
      </div>
    </Page>
  );
}
