import { useCallback, useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import type { Member, SelfServiceContext, TesseraClient } from '@tessera/client';
import { TesseraError, anonymous, describe, withToken } from '../api.js';
import { Page } from '../page.js';
import { ConfirmButton } from '../ui/confirm.js';
import { ErrorAlert } from '../ui/error-alert.js';

type LinkState = 'loading' | 'ready' | 'needs-link' | 'invalid' | 'used' | 'expired' | 'no-permission' | 'ended';

const MESSAGES: Record<Exclude<LinkState, 'loading' | 'ready'>, { title: string; text: string }> = {
  // A reload (or an address typed without its link): the one-time code was used and wiped.
  'needs-link': {
    title: 'This dashboard needs a new link',
    text: 'Dashboard links work once, so reloading the page cannot open it again. Go back to the application and open the dashboard from there.',
  },
  invalid: { title: 'This link is not valid', text: 'Ask the application that sent you here for a new link.' },
  used: {
    title: 'This link was already used',
    text: 'Dashboard links work once. Ask the application that sent you here for a new link.',
  },
  expired: {
    title: 'This link has expired',
    text: 'Dashboard links work for 60 seconds. Ask the application that sent you here for a new link.',
  },
  'no-permission': { title: 'No access to this dashboard', text: 'Your account may not manage this organization.' },
  ended: {
    title: 'Your dashboard session has ended',
    text: 'Go back to the application and open the dashboard again.',
  },
};

/** The permission that opens this dashboard: losing it ends the dashboard user's access. */
const DASHBOARD = 'view-self-service-dashboard';

function stateOf(error: unknown): LinkState {
  if (!(error instanceof TesseraError)) return 'invalid';
  if (error.code === 'token_revoked') return 'used';
  if (error.code === 'token_expired') return 'expired';
  if (error.code === 'missing_permission') return 'no-permission';
  return 'invalid';
}

/**
 * The self-service dashboard. The link's fragment carries a one-time code (never a token); it is
 * read once, wiped from the address bar, and exchanged. The session token stays in memory only.
 */
export function SelfServicePage() {
  const [state, setState] = useState<LinkState>('loading');
  const [client, setClient] = useState<TesseraClient | null>(null);
  const [redirectUrl, setRedirectUrl] = useState<string | null>(null);
  const exchanged = useRef(false);

  useEffect(() => {
    if (exchanged.current) return; // StrictMode runs effects twice; a code works once.
    exchanged.current = true;
    const code = new URLSearchParams(window.location.hash.slice(1)).get('code');
    window.history.replaceState(null, '', window.location.pathname);
    if (!code) {
      setState('needs-link');
      return;
    }
    anonymous.selfService
      .exchange(code)
      .then(({ token, redirectUrl }) => {
        setClient(withToken(token));
        setRedirectUrl(redirectUrl);
        setState('ready');
      })
      .catch((e: unknown) => setState(stateOf(e)));
  }, []);

  const back = redirectUrl ? (
    <button type="button" className="secondary" onClick={() => window.location.assign(redirectUrl)}>
      Back to the application
    </button>
  ) : null;

  if (state === 'loading') {
    return (
      <main id="main" className="dashboard">
        <Page title="Opening the dashboard…">
          <p role="status">One moment.</p>
        </Page>
      </main>
    );
  }
  if (state !== 'ready' || !client) {
    const m = MESSAGES[state === 'ready' ? 'invalid' : state];
    return (
      <main id="main" className="dashboard">
        <Page title={m.title}>
          <p data-testid="link-state" data-state={state}>
            {m.text}
          </p>
          {back}
        </Page>
      </main>
    );
  }
  return (
    <main id="main" className="dashboard">
      <Dashboard client={client} onEnded={(s) => setState(s)} back={back} />
    </main>
  );
}

function Dashboard({
  client,
  onEnded,
  back,
}: {
  client: TesseraClient;
  onEnded: (s: LinkState) => void;
  back: ReactNode;
}) {
  const [context, setContext] = useState<SelfServiceContext | null>(null);
  const [members, setMembers] = useState<Member[]>([]);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const handle = useCallback(
    (e: unknown) => {
      if (e instanceof TesseraError && (e.status === 401 || e.code === 'missing_permission'))
        onEnded(e.status === 401 ? 'ended' : 'no-permission');
      else setError(describe(e));
    },
    [onEnded],
  );

  const load = useCallback(async () => {
    try {
      const [ctx, page] = await Promise.all([client.selfService.context(), client.selfService.members({ limit: 100 })]);
      setContext(ctx);
      setMembers(page.items);
    } catch (e) {
      handle(e);
    }
  }, [client, handle]);

  useEffect(() => {
    void load();
  }, [load]);

  async function change(action: () => Promise<void>, done: string) {
    setError(null);
    setStatus(null);
    try {
      await action();
      setStatus(done);
      await load();
    } catch (e) {
      handle(e);
    }
  }

  if (!context) return <p role="status">Loading…</p>;
  const assignable = new Set(context.assignableRoles.map((r) => r.roleId));
  const held = new Set(context.permissions);
  const grantsDashboard = new Set(
    context.assignableRoles.filter((r) => r.permissions.includes(DASHBOARD)).map((r) => r.roleId),
  );
  /**
   * Whether this role is the member's last one that opens this dashboard (as far as the dashboard
   * can see: roles it may assign, and a direct grant of the permission).
   */
  const isLastDashboardRole = (m: Member, roleId: string) =>
    grantsDashboard.has(roleId) &&
    !m.permissions.includes(DASHBOARD) &&
    m.roles.filter((r) => r !== roleId && grantsDashboard.has(r)).length === 0;

  return (
    <Page title={`${context.tenant.name ?? context.tenant.tenantId}: members`}>
      <div className="toolbar">
        <p className="muted">
          Signed in as {labelOf(context.user)}. You can grant roles and permissions you hold here yourself.
        </p>
        {back}
      </div>
      <p className="status" role="status" aria-live="polite">
        {status}
      </p>
      <ErrorAlert message={error} />
      <ul className="members">
        {members.map((m) => (
          <li key={m.user.userId} className="card member" data-user-id={m.user.userId}>
            <h2>{labelOf(m.user)}</h2>
            <div className="chips" role="group" aria-label={`Roles of ${labelOf(m.user)}`}>
              {m.roles.length === 0 && <span className="muted">No roles</span>}
              {m.roles.map((roleId) => (
                <span className="chip" key={roleId}>
                  {roleId}
                  {assignable.has(roleId) &&
                    (m.user.userId === context.user.userId && isLastDashboardRole(m, roleId) ? (
                      // Revoking one's own last such role locks oneself out: ask first.
                      <ConfirmButton
                        label="×"
                        ariaLabel={`Revoke role ${roleId} from ${labelOf(m.user)}`}
                        title={`Revoke ${roleId} from yourself?`}
                        confirmLabel="Revoke and lose access"
                        onConfirm={() =>
                          change(
                            () => client.selfService.revokeRole(m.user.userId, roleId),
                            `Revoked ${roleId} from ${labelOf(m.user)}.`,
                          )
                        }
                      >
                        <p>
                          It is your last role that lets you manage this organization here: you would lose access to
                          this dashboard, and only another administrator could give it back.
                        </p>
                      </ConfirmButton>
                    ) : (
                      <button
                        type="button"
                        aria-label={`Revoke role ${roleId} from ${labelOf(m.user)}`}
                        onClick={() =>
                          void change(
                            () => client.selfService.revokeRole(m.user.userId, roleId),
                            `Revoked ${roleId} from ${labelOf(m.user)}.`,
                          )
                        }
                      >
                        ×
                      </button>
                    ))}
                </span>
              ))}
            </div>
            <div className="chips" role="group" aria-label={`Permissions of ${labelOf(m.user)}`}>
              {m.permissions.map((permissionId) => (
                <span className="chip outline" key={permissionId}>
                  {permissionId}
                  {held.has(permissionId) && (
                    <button
                      type="button"
                      aria-label={`Revoke permission ${permissionId} from ${labelOf(m.user)}`}
                      onClick={() =>
                        void change(
                          () => client.selfService.revokePermission(m.user.userId, permissionId),
                          `Revoked ${permissionId} from ${labelOf(m.user)}.`,
                        )
                      }
                    >
                      ×
                    </button>
                  )}
                </span>
              ))}
            </div>
            <GrantPicker
              label="Grant role"
              email={labelOf(m.user)}
              choices={context.assignableRoles
                .filter((r) => !m.roles.includes(r.roleId))
                .map((r) => ({ id: r.roleId, name: r.name ?? r.roleId }))}
              onGrant={(id) =>
                change(
                  () => client.selfService.grantRole(m.user.userId, id),
                  `Granted role ${id} to ${labelOf(m.user)}.`,
                )
              }
            />
            <GrantPicker
              label="Grant permission"
              email={labelOf(m.user)}
              choices={context.permissions.filter((p) => !m.permissions.includes(p)).map((p) => ({ id: p, name: p }))}
              onGrant={(id) =>
                change(
                  () => client.selfService.grantPermission(m.user.userId, id),
                  `Granted permission ${id} to ${labelOf(m.user)}.`,
                )
              }
            />
          </li>
        ))}
      </ul>
    </Page>
  );
}

/** How a member is shown: their email, or their id for a user without one. */
const labelOf = (user: { userId: string; email: string | null }) => user.email ?? user.userId;

/** A grant chosen from a list (what the dashboard user may give), never typed. */
function GrantPicker({
  label,
  email,
  choices,
  onGrant,
}: {
  label: string;
  email: string;
  choices: { id: string; name: string }[];
  onGrant: (id: string) => Promise<void>;
}) {
  const [value, setValue] = useState('');
  const id = `${label}-${email}`.replace(/[^A-Za-z0-9-]/g, '-');
  async function submit(event: FormEvent) {
    event.preventDefault();
    if (value === '') return;
    await onGrant(value);
    setValue('');
  }
  if (choices.length === 0) return null;
  return (
    <form className="grant" onSubmit={(e) => void submit(e)}>
      <label htmlFor={id}>
        {label} <span className="sr-only">to {email}</span>
      </label>
      <select id={id} value={value} onChange={(e) => setValue(e.target.value)}>
        <option value="">Choose…</option>
        {choices.map((c) => (
          <option key={c.id} value={c.id}>
            {c.name === c.id ? c.id : `${c.name} (${c.id})`}
          </option>
        ))}
      </select>
      <button type="submit" className="secondary" disabled={value === ''}>
        Grant
      </button>
    </form>
  );
}
