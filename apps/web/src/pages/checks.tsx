import { useState, type FormEvent } from 'react';
import type { CheckItem } from '@tessera/client';
import { describe, withToken } from '../api.js';
import { useAuth } from '../auth.js';
import { Page } from '../page.js';
import { ErrorAlert } from '../ui/error-alert.js';

interface Row {
  kind: 'permission' | 'role' | 'feature';
  id: string;
  tenantId: string;
}

/** Any refusal of the credentials themselves: the token is bad, whatever the server's words. */
const BAD_TOKEN = 'Invalid or expired token. Ask your backend for a new authorization session token.';

/**
 * What a browser app can do with an authorization session token its backend minted
 * (POST /v1/sessions {type: "sess"}): ask checks for its own user. Signed in, the page can also
 * ask for the signed-in user with their own session. This page mints nothing.
 */
export function ChecksPage() {
  const { me, client: signedInClient } = useAuth();
  // Until the person picks, their own session when signed in (known once the session has loaded).
  const [picked, setSource] = useState<'me' | 'token' | null>(null);
  const source = me === null ? 'token' : (picked ?? 'me');
  const [token, setToken] = useState('');
  const [op, setOp] = useState<'allOf' | 'anyOf'>('allOf');
  const [rows, setRows] = useState<Row[]>([{ kind: 'permission', id: '', tenantId: '' }]);
  const [answer, setAnswer] = useState<{ who: string; authorized: boolean; results: boolean[] } | null>(null);
  const [error, setError] = useState<string | null>(null);

  const update = (index: number, patch: Partial<Row>) =>
    setRows(rows.map((r, i) => (i === index ? { ...r, ...patch } : r)));

  async function run(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setAnswer(null);
    const mine = source === 'me';
    try {
      const client = mine ? signedInClient : withToken(token.trim());
      const checks: CheckItem[] = rows.map((r) => ({
        [r.kind]: r.id.trim(),
        ...(r.tenantId.trim() === '' ? {} : { tenantId: r.tenantId.trim() }),
      }));
      const [{ user }, result] = await Promise.all([client.sessions.current(), client.check({ op, checks })]);
      setAnswer({ who: user.email ?? user.userId, ...result });
    } catch (e) {
      setError(
        describe(e, mine ? {} : { unauthorized: BAD_TOKEN, token_expired: BAD_TOKEN, token_revoked: BAD_TOKEN }),
      );
    }
  }

  return (
    <Page title="Checks">
      <p className="muted">
        Ask what a user may do: as yourself with your own session, or with an authorization session token your backend
        minted with <code>POST /v1/sessions</code> (<code>{'{"type":"sess","userId":"…"}'}</code>), which may ask about
        its own user only.
      </p>
      <form className="card" onSubmit={(e) => void run(e)}>
        <fieldset className="flags">
          <legend>Check for</legend>
          <label className="check">
            <input
              type="radio"
              name="source"
              value="me"
              disabled={!me}
              checked={source === 'me'}
              onChange={() => setSource('me')}
            />
            {me ? `Me (${me.user.email ?? me.user.userId}), with my session` : 'Me (sign in first)'}
          </label>
          <label className="check">
            <input
              type="radio"
              name="source"
              value="token"
              checked={source === 'token'}
              onChange={() => setSource('token')}
            />
            A pasted token (an authorization session minted by your backend)
          </label>
        </fieldset>
        {source === 'token' && (
          <>
            <label htmlFor="token">Authorization session token</label>
            <input
              id="token"
              name="token"
              autoComplete="off"
              spellCheck={false}
              required
              value={token}
              onChange={(e) => setToken(e.target.value)}
            />
          </>
        )}
        <fieldset>
          <legend>Checks</legend>
          {rows.map((row, i) => (
            <div className="check-row" key={i}>
              <label>
                <span className="sr-only">Kind of check {i + 1}</span>
                <select value={row.kind} onChange={(e) => update(i, { kind: e.target.value as Row['kind'] })}>
                  <option value="permission">permission</option>
                  <option value="role">role</option>
                  <option value="feature">feature</option>
                </select>
              </label>
              <label>
                <span className="sr-only">
                  {row.kind} id of check {i + 1}
                </span>
                <input
                  placeholder={`${row.kind} id`}
                  required
                  value={row.id}
                  onChange={(e) => update(i, { id: e.target.value })}
                />
              </label>
              <label>
                <span className="sr-only">Tenant of check {i + 1}</span>
                <input
                  placeholder="tenant id (optional)"
                  value={row.tenantId}
                  onChange={(e) => update(i, { tenantId: e.target.value })}
                />
              </label>
              {rows.length > 1 && (
                <button
                  type="button"
                  className="secondary"
                  onClick={() => setRows(rows.filter((_, j) => j !== i))}
                  aria-label={`Remove check ${i + 1}`}
                >
                  Remove
                </button>
              )}
            </div>
          ))}
          <button
            type="button"
            className="secondary"
            onClick={() => setRows([...rows, { kind: 'permission', id: '', tenantId: '' }])}
          >
            Add a check
          </button>
        </fieldset>
        <label htmlFor="op">Combine</label>
        <select id="op" value={op} onChange={(e) => setOp(e.target.value as 'allOf' | 'anyOf')}>
          <option value="allOf">all of them (allOf)</option>
          <option value="anyOf">any of them (anyOf)</option>
        </select>
        <button type="submit">Check</button>
      </form>
      <ErrorAlert message={error} />
      {answer && (
        <div className="card" role="status" aria-live="polite">
          <p>
            For <strong>{answer.who}</strong>:{' '}
            <strong className={answer.authorized ? 'yes' : 'no'} data-testid="authorized">
              {answer.authorized ? 'Authorized' : 'Not authorized'}
            </strong>
          </p>
          <ul className="results">
            {rows.map((r, i) => (
              <li key={i}>
                {r.kind} <code>{r.id}</code>
                {r.tenantId && (
                  <>
                    {' '}
                    in <code>{r.tenantId}</code>
                  </>
                )}
                : <span className={answer.results[i] ? 'yes' : 'no'}>{answer.results[i] ? 'yes' : 'no'}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </Page>
  );
}
