import { useId, useMemo, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { User } from '@tessera/client';
import { useAuth } from '../../auth.js';
import { fetchAll } from '../catalog/catalog-data.js';

/** Results shown at once: enough to pick from, short enough to read. */
const SHOWN = 8;

/**
 * The people a picker may offer for what was typed: super admins search every user on the server
 * (`q`: part of an email or the start of an id); a tenant admin picks among the members of the
 * tenants they administer (the API lets them add only those), loaded once and filtered here.
 */
function useCandidates(wanted: string) {
  const { client, access } = useAuth();
  const search = useQuery<User[]>({
    queryKey: ['users', 'search', wanted],
    enabled: access.superAdmin && wanted !== '',
    staleTime: 30_000,
    queryFn: async () => (await client.users.list({ q: wanted, limit: SHOWN + 5 })).items,
  });
  const members = useQuery<User[]>({
    queryKey: ['candidates', 'members'],
    enabled: !access.superAdmin,
    staleTime: 30_000,
    queryFn: async () => {
      const tenants = await fetchAll((after) => client.tenants.list({ limit: 100, after }));
      const all = await Promise.all(
        tenants.map((t) => fetchAll((after) => client.members.list(t.tenantId, { limit: 100, after }))),
      );
      return [...new Map(all.flat().map((m) => [m.user.userId, m.user])).values()];
    },
  });
  if (access.superAdmin) return search;
  return {
    ...members,
    data: members.data?.filter(
      (u) => u.userId.toLowerCase().includes(wanted) || (u.email ?? '').toLowerCase().includes(wanted),
    ),
  };
}

export const personLabel = (user: User) => user.email ?? user.userId;

/** Find a person by typing part of their email or id, then choose them from the matches. */
export function UserPicker({
  label,
  exclude,
  onPick,
}: {
  label: string;
  /** People not to offer (already members). */
  exclude?: ReadonlySet<string>;
  onPick: (user: User) => void;
}) {
  const { access } = useAuth();
  const [text, setText] = useState('');
  const inputId = useId();
  const hintId = useId();
  const wanted = text.trim().toLowerCase();
  const candidates = useCandidates(wanted);
  const matches = useMemo(
    () => (wanted === '' ? [] : (candidates.data ?? []).filter((u) => !exclude?.has(u.userId)).slice(0, SHOWN)),
    [candidates.data, exclude, wanted],
  );
  return (
    <div className="user-picker">
      <label htmlFor={inputId}>{label}</label>
      <input
        id={inputId}
        type="search"
        value={text}
        onChange={(e) => setText(e.target.value)}
        autoComplete="off"
        aria-describedby={hintId}
      />
      <p className="hint" id={hintId}>
        {access.superAdmin
          ? 'Type part of an email address or user id.'
          : 'Type part of an email address: you can add people from the tenants you administer.'}
      </p>
      {candidates.isError && <p className="error">The people could not be loaded.</p>}
      {wanted !== '' && candidates.data && (
        <ul className="picker-results" aria-label="Matching people">
          {matches.length === 0 && <li className="muted">Nobody matches “{text.trim()}”.</li>}
          {matches.map((user) => (
            <li key={user.userId}>
              <button
                type="button"
                className="secondary"
                onClick={() => {
                  onPick(user);
                  setText('');
                }}
              >
                {personLabel(user)}
                {user.email && <span className="muted"> · {user.userId}</span>}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
