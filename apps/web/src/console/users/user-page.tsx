import { useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import type { AuditEvent, User } from '@tessera/client';
import { tenantLabel } from '../../api.js';
import { useAuth } from '../../auth.js';
import { Page } from '../../page.js';
import { navigate } from '../../router.js';
import { ConfirmButton } from '../../ui/confirm.js';
import { useAction } from '../../ui/action.js';
import { QueryState } from '../../ui/query-state.js';
import { ActAs } from '../impersonation/act-as.js';
import { device } from '../../device.js';
import { UserBadges, when } from './user-bits.js';

export function UserPage() {
  const { userId = '' } = useParams();
  const { client } = useAuth();
  const user = useQuery({ queryKey: ['user', userId], queryFn: () => client.users.get(userId) });
  return <QueryState query={user}>{(u) => <UserDetails user={u} />}</QueryState>;
}

function UserDetails({ user }: { user: User }) {
  const { access } = useAuth();
  const who = user.email ?? user.userId;
  return (
    <Page title={who}>
      <p>
        <Link to="/console/users">← All users</Link>
      </p>
      <Profile user={user} />
      <Tenants user={user} />
      {access.superAdmin && (
        <>
          <GlobalGrants user={user} />
          <Sessions user={user} />
          <SetPassword user={user} />
          <AuditTrail user={user} />
          <DangerZone user={user} />
        </>
      )}
    </Page>
  );
}

function Profile({ user }: { user: User }) {
  const { client, access } = useAuth();
  const may = useQuery({
    queryKey: ['may-impersonate', user.userId],
    queryFn: () => client.admin.mayImpersonate(user.userId),
  });
  const keys = [['user', user.userId], ['users'], ['sessions', user.userId], ['audit', user.userId]];
  const { run, busy } = useAction();
  const disable = () =>
    run(
      () => client.admin.users.disable(user.userId),
      `Disabled ${user.email ?? user.userId}; their sessions ended.`,
      keys,
    );
  const enable = () => run(() => client.admin.users.enable(user.userId), `Enabled ${user.email ?? user.userId}.`, keys);
  const resetMfa = () =>
    run(
      () => client.admin.users.resetMfa(user.userId),
      `Turned off two-step verification of ${user.email ?? user.userId}; their sessions ended.`,
      keys,
    );
  return (
    <section className="card" aria-labelledby="profile-title">
      <h2 id="profile-title">Profile</h2>
      <dl className="facts">
        <dt>Email</dt>
        <dd>{user.email ?? <span className="muted">none</span>}</dd>
        <dt>User id</dt>
        <dd>
          <code>{user.userId}</code>
        </dd>
        <dt>Status</dt>
        <dd>
          <UserBadges user={user} />
        </dd>
        <dt>Email verified</dt>
        <dd>{user.emailVerifiedAt ? when(user.emailVerifiedAt) : 'Not yet'}</dd>
        <dt>Created</dt>
        <dd>{when(user.createdAt)}</dd>
      </dl>
      <div className="actions" data-testid="profile-actions" aria-busy={may.isPending}>
        {may.data?.allowed === true && <ActAs user={user} maxSeconds={may.data.maxSeconds} />}
        {access.superAdmin &&
          (user.disabled ? (
            <button type="button" className="secondary" onClick={() => void enable()} disabled={busy}>
              Enable
            </button>
          ) : (
            <ConfirmButton
              label="Disable"
              title={`Disable ${user.email ?? user.userId}?`}
              confirmLabel="Disable"
              onConfirm={disable}
            >
              <p>They cannot sign in until enabled again, and every session they have ends now.</p>
            </ConfirmButton>
          ))}
        {access.superAdmin && user.mfa && (
          <ConfirmButton
            label="Reset two-step verification"
            title={`Reset two-step verification of ${user.email ?? user.userId}?`}
            confirmLabel="Reset"
            onConfirm={resetMfa}
          >
            <p>
              For someone who lost their authenticator and recovery codes: their second factor and recovery codes are
              removed and every session they have ends. They sign in with their password alone and can enrol again.
            </p>
          </ConfirmButton>
        )}
      </div>
    </section>
  );
}

function Tenants({ user }: { user: User }) {
  const { client } = useAuth();
  const tenants = useQuery({
    queryKey: ['user-tenants', user.userId],
    queryFn: () => client.users.tenants(user.userId, { limit: 100 }),
  });
  return (
    <section className="card" aria-labelledby="tenants-title">
      <h2 id="tenants-title">Tenants and roles</h2>
      <QueryState query={tenants}>
        {(page) =>
          page.items.length === 0 ? (
            <p className="muted">Not a member of any tenant.</p>
          ) : (
            <ul className="plain">
              {page.items.map((m) => (
                <li key={m.tenant.tenantId}>
                  <Link to={`/console/tenants/${encodeURIComponent(m.tenant.tenantId)}`}>{tenantLabel(m.tenant)}</Link>
                  <span className="chips" aria-label={`Roles and permissions in ${tenantLabel(m.tenant)}`}>
                    {m.roles.length + m.permissions.length === 0 && <span className="muted">no roles</span>}
                    {m.roles.map((r) => (
                      <span key={r} className="chip">
                        {r}
                      </span>
                    ))}
                    {m.permissions.map((p) => (
                      <span key={p} className="chip outline">
                        {p}
                      </span>
                    ))}
                  </span>
                </li>
              ))}
            </ul>
          )
        }
      </QueryState>
    </section>
  );
}

function GlobalGrants({ user }: { user: User }) {
  const { client } = useAuth();
  const grants = useQuery({
    queryKey: ['global-grants', user.userId],
    queryFn: () => client.grants.global(user.userId),
  });
  return (
    <section className="card" aria-labelledby="global-title">
      <h2 id="global-title">Global roles and permissions</h2>
      <QueryState query={grants}>
        {(g) =>
          g.roles.length + g.permissions.length === 0 ? (
            <p className="muted">None: this user holds nothing outside their tenants.</p>
          ) : (
            <p className="chips">
              {g.roles.map((r) => (
                <span key={r} className="chip">
                  {r}
                </span>
              ))}
              {g.permissions.map((p) => (
                <span key={p} className="chip outline">
                  {p}
                </span>
              ))}
            </p>
          )
        }
      </QueryState>
    </section>
  );
}

function Sessions({ user }: { user: User }) {
  const { client } = useAuth();
  const who = user.email ?? user.userId;
  const sessions = useQuery({
    queryKey: ['sessions', user.userId],
    queryFn: () => client.admin.users.sessions(user.userId, { limit: 100 }),
  });
  const keys = [
    ['sessions', user.userId],
    ['audit', user.userId],
  ];
  const { run } = useAction();
  const endOne = (sessionId: string) =>
    run(() => client.admin.users.revokeSession(user.userId, sessionId), `Ended a session of ${who}.`, keys);
  const endAll = () =>
    run(
      () => client.admin.users.revokeSessions(user.userId),
      ({ revoked }) => `Ended ${revoked} session${revoked === 1 ? '' : 's'} of ${who}.`,
      keys,
    );
  return (
    <section className="card" aria-labelledby="sessions-title">
      <div className="toolbar">
        <h2 id="sessions-title">Sessions</h2>
        {sessions.data && sessions.data.items.length > 0 && (
          <ConfirmButton
            label="End all sessions"
            title={`End every session of ${who}?`}
            confirmLabel="End all sessions"
            onConfirm={endAll}
          >
            <p>They are signed out everywhere, impersonations of them included.</p>
          </ConfirmButton>
        )}
      </div>
      <QueryState query={sessions}>
        {(page) =>
          page.items.length === 0 ? (
            <p className="muted">No live session.</p>
          ) : (
            <div className="table-wrap">
              <table className="sessions-table">
                <caption className="sr-only">Live sessions of {who}</caption>
                <thead>
                  <tr>
                    <th scope="col">Device</th>
                    <th scope="col">IP</th>
                    <th scope="col">Created</th>
                    <th scope="col">Last used</th>
                    <th scope="col">Expires</th>
                    <th scope="col">
                      <span className="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {page.items.map((s) => (
                    <tr key={s.id} data-session-id={s.id}>
                      <td data-label="Device">
                        {device(s.userAgent)}
                        {s.type !== 'user' && <span className="badge muted">{s.type}</span>}
                      </td>
                      <td data-label="IP">{s.ip ?? '—'}</td>
                      <td data-label="Created">{when(s.createdAt)}</td>
                      <td data-label="Last used">{when(s.lastUsedAt)}</td>
                      <td data-label="Expires">{when(s.expiresAt)}</td>
                      <td>
                        <ConfirmButton
                          label="End"
                          ariaLabel={`End session on ${device(s.userAgent)} from ${s.ip ?? 'an unknown address'}`}
                          title={`End this session of ${who}?`}
                          confirmLabel="End session"
                          onConfirm={() => endOne(s.id)}
                        >
                          <p>
                            {device(s.userAgent)} from {s.ip ?? 'an unknown address'}, last used {when(s.lastUsedAt)}.
                          </p>
                        </ConfirmButton>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </QueryState>
    </section>
  );
}

function SetPassword({ user }: { user: User }) {
  const { client } = useAuth();
  const [password, setPassword] = useState('');
  const { run, busy } = useAction();
  async function submit(event: FormEvent) {
    event.preventDefault();
    const done = await run(
      () => client.users.update(user.userId, { password }),
      `Set a new password for ${user.email ?? user.userId}; their sessions ended.`,
      [
        ['sessions', user.userId],
        ['audit', user.userId],
      ],
    );
    if (done) setPassword('');
  }
  return (
    <section className="card" aria-labelledby="password-title">
      <h2 id="password-title">Set a password</h2>
      <form onSubmit={(e) => void submit(e)} className="inline-form">
        <label htmlFor="set-password">New password</label>
        <input
          id="set-password"
          type="password"
          autoComplete="new-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <p className="hint">Every session of the user ends: whoever knew the old password is signed out.</p>
        <button type="submit" disabled={busy}>
          Set password
        </button>
      </form>
    </section>
  );
}

/** One readable line per event: what happened, who did it, the details that matter. */
export function describeEvent(event: AuditEvent, subject: User): string {
  const actor =
    event.actorUserId === null
      ? event.actorApiKeyId !== null
        ? 'an API key'
        : 'the user themselves'
      : event.actorUserId === subject.userId
        ? 'the user'
        : event.actorUserId;
  const details = event.details ?? {};
  const parts = [`${event.type.replace(/[._]/g, ' ')} by ${actor}`];
  if (typeof details.reason === 'string') parts.push(`reason: “${details.reason}”`);
  if (typeof details.via === 'string') parts.push(`as ${details.via.replace('_', ' ')}`);
  if (typeof details.revoked === 'number') parts.push(`${details.revoked} session(s) ended`);
  if (typeof details.revokedSessions === 'number') parts.push(`${details.revokedSessions} session(s) ended`);
  if (event.tenantId !== null) parts.push(`in tenant ${event.tenantId}`);
  return parts.join(', ');
}

function AuditTrail({ user }: { user: User }) {
  const { client } = useAuth();
  const events = useInfiniteQuery({
    queryKey: ['audit', user.userId],
    queryFn: ({ pageParam }) => client.admin.auditEvents({ userId: user.userId, limit: 20, after: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next ?? undefined,
  });
  return (
    <section className="card" aria-labelledby="audit-title">
      <h2 id="audit-title">Audit trail</h2>
      <QueryState query={events}>
        {(data) => {
          const items = data.pages.flatMap((p) => p.items);
          if (items.length === 0) return <p className="muted">Nothing recorded yet.</p>;
          return (
            <>
              <ol className="events">
                {items.map((e) => (
                  <li key={e.id}>
                    <time dateTime={e.at}>{when(e.at)}</time> <span>{describeEvent(e, user)}</span>
                    {e.ip && <span className="hint"> from {e.ip}</span>}
                  </li>
                ))}
              </ol>
              {events.hasNextPage && (
                <button
                  type="button"
                  className="secondary"
                  disabled={events.isFetchingNextPage}
                  onClick={() => void events.fetchNextPage()}
                >
                  Show older events
                </button>
              )}
            </>
          );
        }}
      </QueryState>
    </section>
  );
}

function DangerZone({ user }: { user: User }) {
  const { client } = useAuth();
  const who = user.email ?? user.userId;
  const { run } = useAction();
  return (
    <section className="card danger-zone" aria-labelledby="danger-title">
      <h2 id="danger-title">Delete</h2>
      <p>Deleting removes the user, their memberships and grants; their sessions end. It cannot be undone.</p>
      <ConfirmButton
        label="Delete user"
        title={`Delete ${who}?`}
        confirmLabel="Delete for good"
        typeToConfirm={who}
        onConfirm={async () => {
          if (await run(() => client.users.delete(user.userId), `Deleted ${who}.`, [['users']]))
            navigate('/console/users');
        }}
      >
        <p>This cannot be undone.</p>
      </ConfirmButton>
    </section>
  );
}
