import { tenantLabel } from '../../api.js';
import { useId, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Link, useNavigate, useParams } from 'react-router';
import type { Assignable, Member, Tenant, User } from '@tessera/client';
import { useAuth } from '../../auth.js';
import { Page } from '../../page.js';
import { ConfirmButton } from '../../ui/confirm.js';
import { QueryState } from '../../ui/query-state.js';
import '../directory.css';
import { Pager, usePager } from '../audit/pager.js';
import { named, submit } from '../catalog/catalog-data.js';
import { useAction } from '../../ui/action.js';
import { EntitlementsSection } from './entitlements-section.js';
import { UserPicker, personLabel } from './user-picker.js';

/** What a change on this page may alter: the tenant's members, what the pickers offer, the people list. */
const touched = (tenantId: string) => [['members', tenantId], ['assignable', tenantId], ['candidates']] as const;

/** `/console/tenants/:tenantId`: the tenant, its members with their roles and permissions there, its entitlements. */
export function TenantPage() {
  const { tenantId = '' } = useParams();
  const { client, access } = useAuth();
  const tenant = useQuery({ queryKey: ['tenant', tenantId], queryFn: () => client.tenants.get(tenantId) });
  // What I may grant or revoke here: the pickers offer exactly that (the API refuses anything else).
  const assignable = useQuery({
    queryKey: ['assignable', tenantId],
    queryFn: () => client.tenants.assignable(tenantId),
  });
  return (
    <Page title={tenant.data ? tenantLabel(tenant.data) : 'Tenant'}>
      <p>
        <Link to="/console/tenants">← All tenants</Link>
      </p>
      <QueryState query={tenant}>
        {(t) => (
          <>
            <p className="muted">
              Id <code>{t.tenantId}</code> · created {new Date(t.createdAt).toLocaleDateString()}
            </p>
            {access.superAdmin && <TenantSettings tenant={t} />}
            <QueryState query={assignable}>{(offer) => <Members tenant={t} offer={offer} />}</QueryState>
            {access.superAdmin && <EntitlementsSection tenantId={t.tenantId} />}
          </>
        )}
      </QueryState>
    </Page>
  );
}

function TenantSettings({ tenant }: { tenant: Tenant }) {
  const { client } = useAuth();
  const { run, busy } = useAction();
  const navigate = useNavigate();
  const [name, setName] = useState(tenant.name ?? '');
  const inputId = useId();
  return (
    <details className="card">
      <summary>Rename or delete</summary>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void run(
            () => client.tenants.update(tenant.tenantId, { name: name.trim() }),
            `Renamed the tenant to ${name.trim()}.`,
            [['tenant', tenant.tenantId], ['tenants']],
          );
        }}
      >
        <label htmlFor={inputId}>Name</label>
        <input id={inputId} value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} />
        <div className="actions">
          <button type="submit" disabled={busy}>
            Rename
          </button>
          <ConfirmButton
            label="Delete tenant"
            title={`Delete the tenant ${tenantLabel(tenant)}?`}
            confirmLabel="Delete tenant"
            typeToConfirm={tenantLabel(tenant)}
            onConfirm={async () => {
              if (
                await run(() => client.tenants.delete(tenant.tenantId), `Deleted ${tenantLabel(tenant)}.`, [
                  ['tenants'],
                ])
              )
                void navigate('/console/tenants');
            }}
          >
            <p>Every membership and every role and permission granted in it go with it. This cannot be undone.</p>
          </ConfirmButton>
        </div>
      </form>
    </details>
  );
}

function Members({ tenant, offer }: { tenant: Tenant; offer: Assignable }) {
  const { client } = useAuth();
  const pager = usePager();
  const headingId = useId();
  const members = useQuery({
    queryKey: ['members', tenant.tenantId, pager.after],
    queryFn: () => client.members.list(tenant.tenantId, { limit: 25, after: pager.after }),
  });
  return (
    <section aria-labelledby={headingId}>
      <h2 id={headingId}>Members</h2>
      <AddMember tenant={tenant} present={new Set(members.data?.items.map((m) => m.user.userId))} />
      <QueryState query={members}>
        {(page) => (
          <>
            {page.items.length === 0 ? (
              <p className="muted">No members yet.</p>
            ) : (
              <ul className="records">
                {page.items.map((member) => (
                  <MemberCard key={member.user.userId} tenant={tenant} member={member} offer={offer} />
                ))}
              </ul>
            )}
            <Pager pager={pager} next={page.next} label="Member" />
          </>
        )}
      </QueryState>
    </section>
  );
}

function AddMember({ tenant, present }: { tenant: Tenant; present: ReadonlySet<string> }) {
  const { client } = useAuth();
  const { run, busy } = useAction();
  const [picked, setPicked] = useState<User | null>(null);
  return (
    <div className="card">
      <h3>Add a member</h3>
      {picked === null ? (
        <UserPicker label="Find a person" exclude={present} onPick={setPicked} />
      ) : (
        <div className="actions">
          <button
            type="button"
            disabled={busy}
            onClick={() =>
              void (async () => {
                const who = personLabel(picked);
                if (
                  await run(
                    () => client.members.add(tenant.tenantId, picked.userId),
                    `${who} is now a member of ${tenantLabel(tenant)}.`,
                    touched(tenant.tenantId),
                  )
                )
                  setPicked(null);
              })()
            }
          >
            Add {personLabel(picked)} to {tenantLabel(tenant)}
          </button>
          <button type="button" className="secondary" onClick={() => setPicked(null)}>
            Choose someone else
          </button>
        </div>
      )}
    </div>
  );
}

function MemberCard({ tenant, member, offer }: { tenant: Tenant; member: Member; offer: Assignable }) {
  const { client, me, access } = useAuth();
  const { run, busy } = useAction();
  const [choice, setChoice] = useState('');
  const selectId = useId();
  const who = personLabel(member.user);
  const roles = new Set(offer.roles.map((r) => r.roleId));
  const permissions = new Set(offer.permissions.map((p) => p.permissionId));
  const held = { role: new Set(member.roles), permission: new Set(member.permissions) };
  const grantableRoles = offer.roles.filter((r) => !held.role.has(r.roleId));
  const grantablePermissions = offer.permissions.filter((p) => !held.permission.has(p.permissionId));
  // Removing a member revokes everything they hold here: offered only when I could revoke all of it.
  const removable = member.roles.every((r) => roles.has(r)) && member.permissions.every((p) => permissions.has(p));
  const isMe = me?.user.userId === member.user.userId;
  const keys = touched(tenant.tenantId);

  const change = (add: boolean, kind: 'role' | 'permission', id: string) => {
    const target = { tenantId: tenant.tenantId, userId: member.user.userId };
    const call =
      kind === 'role'
        ? add
          ? () => client.grants.addRole({ ...target, roleId: id })
          : () => client.grants.removeRole({ ...target, roleId: id })
        : add
          ? () => client.grants.addPermission({ ...target, permissionId: id })
          : () => client.grants.removePermission({ ...target, permissionId: id });
    const done = add ? `Granted the ${kind} ${id} to ${who}.` : `Revoked the ${kind} ${id} from ${who}.`;
    return run(call, done, keys);
  };

  return (
    <li className="card record" data-member={member.user.userId}>
      <div className="toolbar">
        <h3>
          {access.superAdmin ? <Link to={`/console/users/${encodeURIComponent(member.user.userId)}`}>{who}</Link> : who}
          {isMe && <span className="badge">you</span>}
          {member.user.disabled && <span className="badge muted">disabled</span>}
        </h3>
        {removable && (
          <ConfirmButton
            label={`Remove ${who}`}
            title={`Remove ${who} from ${tenantLabel(tenant)}?`}
            confirmLabel="Remove member"
            onConfirm={() =>
              run(() => client.members.remove(tenant.tenantId, member.user.userId), `Removed ${who}.`, keys)
            }
          >
            <p>
              {isMe
                ? 'This is you: you lose everything you hold in this tenant, including the right to manage it.'
                : 'Their roles and permissions in this tenant go with the membership.'}
            </p>
          </ConfirmButton>
        )}
      </div>
      <GrantChips
        kind="role"
        ids={member.roles}
        revocable={roles}
        who={who}
        busy={busy}
        onRevoke={(id) => void change(false, 'role', id)}
      />
      <GrantChips
        kind="permission"
        ids={member.permissions}
        revocable={permissions}
        who={who}
        busy={busy}
        onRevoke={(id) => void change(false, 'permission', id)}
      />
      {grantableRoles.length + grantablePermissions.length > 0 && (
        <form
          className="grant"
          onSubmit={submit(async () => {
            const [kind, ...rest] = choice.split(':');
            if (!rest.length) return;
            if (await change(true, kind as 'role' | 'permission', rest.join(':'))) setChoice('');
          })}
        >
          <label htmlFor={selectId}>Grant to {who}</label>
          <select id={selectId} value={choice} onChange={(e) => setChoice(e.target.value)} required>
            <option value="">Choose a role or permission…</option>
            {grantableRoles.length > 0 && (
              <optgroup label="Roles">
                {grantableRoles.map((r) => (
                  <option key={r.roleId} value={`role:${r.roleId}`}>
                    {named(r.roleId, r.name)}
                  </option>
                ))}
              </optgroup>
            )}
            {grantablePermissions.length > 0 && (
              <optgroup label="Permissions">
                {grantablePermissions.map((p) => (
                  <option key={p.permissionId} value={`permission:${p.permissionId}`}>
                    {named(p.permissionId, p.name)}
                  </option>
                ))}
              </optgroup>
            )}
          </select>
          <button type="submit" disabled={busy || !choice}>
            Grant
          </button>
        </form>
      )}
    </li>
  );
}

/** A member's roles (or permissions) here; those I may revoke carry a revoke button. */
function GrantChips({
  kind,
  ids,
  revocable,
  who,
  busy,
  onRevoke,
}: {
  kind: 'role' | 'permission';
  ids: string[];
  revocable: ReadonlySet<string>;
  who: string;
  busy: boolean;
  onRevoke: (id: string) => void;
}) {
  return (
    <div className="grants">
      <span className="hint">{kind === 'role' ? 'Roles' : 'Permissions'}:</span>
      <ul className="chips" aria-label={`${kind === 'role' ? 'Roles' : 'Permissions'} of ${who}`}>
        {ids.length === 0 && <li className="muted">none</li>}
        {ids.map((id) => (
          <li key={id} className={kind === 'role' ? 'chip' : 'chip outline'}>
            {id}
            {revocable.has(id) && (
              <button
                type="button"
                aria-label={`Revoke ${kind} ${id} from ${who}`}
                disabled={busy}
                onClick={() => onRevoke(id)}
              >
                ×
              </button>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
