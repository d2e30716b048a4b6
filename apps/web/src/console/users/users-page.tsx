import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { User, UserFilters } from '@tessera/client';
import { describe, tenantLabel } from '../../api.js';
import { useAuth } from '../../auth.js';
import { Page } from '../../page.js';
import { navigate } from '../../router.js';
import { QueryState } from '../../ui/query-state.js';
import { useToast } from '../../ui/toast.js';
import { UserBadges, when } from './user-bits.js';

const PAGE_SIZE = 20;
const FLAGS = [
  { key: 'disabled', label: 'Disabled' },
  { key: 'superAdmin', label: 'Super admin' },
  { key: 'mfa', label: 'Has a second factor' },
] as const;

/** The search and filters live in the address (shareable, kept on Back); the cursors of the pages seen too. */
function useFilters() {
  const [params, setParams] = useSearchParams();
  const filters: UserFilters = {
    q: params.get('q') ?? undefined,
    tenantId: params.get('tenant') ?? undefined,
    ...Object.fromEntries(FLAGS.filter((f) => params.get(f.key) === 'true').map((f) => [f.key, true])),
  };
  const after = params.get('after') ?? undefined;
  return { params, setParams, filters, after };
}

export function UsersPage() {
  const { client, access } = useAuth();
  const { params, setParams, filters, after } = useFilters();
  const [search, setSearch] = useState(filters.q ?? '');
  // The cursors that led to this page, so Previous goes back without the server keeping state.
  const trail = (params.get('trail') ?? '').split(',').filter(Boolean);

  const users = useQuery({
    queryKey: ['users', filters, after],
    queryFn: () => client.users.list({ ...filters, limit: PAGE_SIZE, after }),
    placeholderData: keepPreviousData,
  });

  const update = (patch: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(patch)) {
      if (value === null || value === '') next.delete(key);
      else next.set(key, value);
    }
    // A new search or filter starts at the first page.
    if (!('after' in patch)) {
      next.delete('after');
      next.delete('trail');
    }
    // At once, not in a transition: the checkboxes and the select show the address, and a
    // deferred update would show the old value until the navigation commits.
    setParams(next, { flushSync: true });
  };

  function submitSearch(event: FormEvent) {
    event.preventDefault();
    update({ q: search.trim() });
  }

  return (
    <Page title="Users">
      {!access.superAdmin && <p className="hint">You see the members of the tenants you administer.</p>}
      <form className="card filters" role="search" onSubmit={submitSearch}>
        <div className="search-row">
          <label htmlFor="user-search">Search by email or id</label>
          <input
            id="user-search"
            type="search"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            placeholder="ada@example.com or user id"
          />
          <button type="submit">Search</button>
        </div>
        <fieldset className="flags">
          <legend>Show only</legend>
          {FLAGS.map((f) => (
            <label key={f.key} className="check">
              <input
                type="checkbox"
                checked={filters[f.key] === true}
                onChange={(e) => update({ [f.key]: e.target.checked ? 'true' : null })}
              />
              {f.label}
            </label>
          ))}
          {access.tenants.length > 0 && (
            <label className="check">
              <span>Tenant</span>
              <select value={filters.tenantId ?? ''} onChange={(e) => update({ tenant: e.target.value })}>
                <option value="">All my tenants</option>
                {access.tenants.map(({ tenant }) => (
                  <option key={tenant.tenantId} value={tenant.tenantId}>
                    {tenantLabel(tenant)}
                  </option>
                ))}
              </select>
            </label>
          )}
        </fieldset>
      </form>
      {access.superAdmin && <CreateUser />}
      <QueryState query={users}>
        {(page) => (
          <>
            <UserTable users={page.items} />
            <nav className="actions pager" aria-label="Pages of users">
              <button
                type="button"
                className="secondary"
                disabled={after === undefined}
                onClick={() =>
                  update({ after: trail[trail.length - 1] ?? null, trail: trail.slice(0, -1).join(',') || null })
                }
              >
                Previous page
              </button>
              <button
                type="button"
                className="secondary"
                disabled={page.next === null}
                onClick={() => update({ after: page.next, trail: [...trail, after ?? ''].join(',') || null })}
              >
                Next page
              </button>
            </nav>
          </>
        )}
      </QueryState>
    </Page>
  );
}

function UserTable({ users }: { users: User[] }) {
  if (users.length === 0) return <p className="card">No user matches.</p>;
  return (
    <div className="table-wrap">
      <table className="users">
        <caption className="sr-only">Users</caption>
        <thead>
          <tr>
            <th scope="col">User</th>
            <th scope="col">Status</th>
            <th scope="col" className="wide-only">
              Created
            </th>
          </tr>
        </thead>
        <tbody>
          {users.map((u) => (
            <tr key={u.userId}>
              <td>
                <Link to={`/console/users/${encodeURIComponent(u.userId)}`}>{u.email ?? u.userId}</Link>
                {u.email !== null && <div className="hint id">{u.userId}</div>}
              </td>
              <td>
                <UserBadges user={u} />
              </td>
              <td className="wide-only">{when(u.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A new user: an email, and optionally a first password (else they set one through a reset mail). */
function CreateUser() {
  const { client } = useAuth();
  const notify = useToast();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const create = useMutation({
    mutationFn: () => client.users.create({ email: email.trim(), ...(password === '' ? {} : { password }) }),
    onSuccess: (user) => {
      notify(`Created ${user.email ?? user.userId}.`);
      void queryClient.invalidateQueries({ queryKey: ['users'] });
      navigate(`/console/users/${encodeURIComponent(user.userId)}`);
    },
  });
  return (
    <details className="card create">
      <summary>Create a user</summary>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <label htmlFor="new-email">Email</label>
        <input
          id="new-email"
          type="email"
          required
          autoComplete="off"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <label htmlFor="new-password">Password (optional)</label>
        <input
          id="new-password"
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        {create.isError && (
          <p className="error" role="alert">
            {describe(create.error)}
          </p>
        )}
        <button type="submit" disabled={create.isPending}>
          Create user
        </button>
      </form>
    </details>
  );
}
