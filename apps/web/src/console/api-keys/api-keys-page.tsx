import { useId, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { ApiKey, ApiKeyRole, CreateApiKeyResponse } from '@tessera/client';
import { useAuth } from '../../auth.js';
import { ConfirmButton } from '../../ui/confirm.js';
import { QueryState } from '../../ui/query-state.js';
import { useToast } from '../../ui/toast.js';
import '../directory.css';
import { Pager, usePager } from '../audit/pager.js';
import { submit } from '../catalog/catalog-data.js';
import { useAction } from '../../ui/action.js';
import { SuperAdminOnly } from '../catalog/super-admin-only.js';

const KEYS = ['api-keys'] as const;
const ROLES: Record<ApiKeyRole, string> = {
  admin: 'admin: everything an administrator may do',
  login: 'login: may only sign people in',
};
const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '—');

/** `/console/api-keys`: keys for backends; a new key's secret is shown once, here, and never again. */
export function ApiKeysPage() {
  return (
    <SuperAdminOnly title="API keys">
      <ApiKeys />
    </SuperAdminOnly>
  );
}

function ApiKeys() {
  const { client } = useAuth();
  const pager = usePager();
  const [created, setCreated] = useState<CreateApiKeyResponse | null>(null);
  const keys = useQuery({
    queryKey: [...KEYS, pager.after],
    queryFn: () => client.admin.apiKeys.list({ limit: 25, after: pager.after }),
  });
  return (
    <>
      <p className="hint">
        Backends send a key as <code>Authorization: ApiKey …</code>. A revoked key stops working on its next request.
      </p>
      {created && <NewSecret created={created} onDone={() => setCreated(null)} />}
      <CreateKey onCreated={setCreated} />
      <h2>Keys</h2>
      <QueryState query={keys}>
        {(page) => (
          <>
            {page.items.length === 0 ? (
              <p className="muted">No API keys yet.</p>
            ) : (
              <ul className="records">
                {page.items.map((key) => (
                  <KeyRow key={key.id} apiKey={key} />
                ))}
              </ul>
            )}
            <Pager pager={pager} next={page.next} label="API key" />
          </>
        )}
      </QueryState>
    </>
  );
}

function CreateKey({ onCreated }: { onCreated: (created: CreateApiKeyResponse) => void }) {
  const { client } = useAuth();
  const { run, busy } = useAction();
  const [name, setName] = useState('');
  const [role, setRole] = useState<ApiKeyRole>('admin');
  const [expires, setExpires] = useState('');
  const prefix = useId();
  return (
    <form
      className="card create-form"
      onSubmit={submit(async () => {
        let answer: CreateApiKeyResponse | undefined;
        const ok = await run(
          async () => {
            answer = await client.admin.apiKeys.create({
              name: name.trim(),
              roles: [role],
              expiresAt: expires ? new Date(expires).toISOString() : undefined,
            });
          },
          `Created the key ${name.trim()}. Copy its secret now: it is shown only once.`,
          [KEYS],
        );
        if (ok && answer) {
          onCreated(answer);
          setName('');
          setExpires('');
        }
      })}
    >
      <h2>New API key</h2>
      <div className="fields">
        <div>
          <label htmlFor={`${prefix}-name`}>Name</label>
          <input
            id={`${prefix}-name`}
            value={name}
            onChange={(e) => setName(e.target.value)}
            required
            maxLength={200}
            placeholder="billing backend"
          />
        </div>
        <div>
          <label htmlFor={`${prefix}-role`}>Role</label>
          <select id={`${prefix}-role`} value={role} onChange={(e) => setRole(e.target.value as ApiKeyRole)}>
            {Object.entries(ROLES).map(([value, text]) => (
              <option key={value} value={value}>
                {text}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor={`${prefix}-expires`}>Expires (optional)</label>
          <input
            id={`${prefix}-expires`}
            type="datetime-local"
            value={expires}
            onChange={(e) => setExpires(e.target.value)}
          />
        </div>
      </div>
      <button type="submit" disabled={busy}>
        Create key
      </button>
    </form>
  );
}

/** The secret of the key just made: copy it now, it is never shown again. */
function NewSecret({ created, onDone }: { created: CreateApiKeyResponse; onDone: () => void }) {
  const notify = useToast();
  const headingId = useId();
  return (
    <section className="card notice new-secret" aria-labelledby={headingId}>
      <h2 id={headingId}>Secret of {created.apiKey.name}</h2>
      <p>Copy it now and store it where your backend reads its secrets. It is shown only this once.</p>
      <p>
        <code className="secret" data-testid="api-key-secret">
          {created.secret}
        </code>
      </p>
      <div className="actions">
        <button
          type="button"
          onClick={() =>
            void navigator.clipboard.writeText(created.secret).then(
              () => notify('Secret copied.'),
              () => notify('Copying failed: select the secret and copy it by hand.', 'error'),
            )
          }
        >
          Copy secret
        </button>
        <button type="button" className="secondary" onClick={onDone}>
          I have stored it
        </button>
      </div>
    </section>
  );
}

function KeyRow({ apiKey }: { apiKey: ApiKey }) {
  const { client } = useAuth();
  const { run } = useAction();
  const revoked = apiKey.revokedAt !== null;
  const expired = !revoked && apiKey.expiresAt !== null && Date.parse(apiKey.expiresAt) <= Date.now();
  return (
    <li className="card record" data-key-id={apiKey.id}>
      <div className="toolbar">
        <h3>
          {apiKey.name}
          {apiKey.roles.map((r) => (
            <span key={r} className="badge">
              {r}
            </span>
          ))}
          {revoked && <span className="badge muted">revoked</span>}
          {expired && <span className="badge muted">expired</span>}
        </h3>
        {!revoked && (
          <ConfirmButton
            label={`Revoke ${apiKey.name}`}
            title={`Revoke the key ${apiKey.name}?`}
            confirmLabel="Revoke key"
            onConfirm={() =>
              run(() => client.admin.apiKeys.revoke(apiKey.id), `Revoked the key ${apiKey.name}.`, [KEYS])
            }
          >
            <p>Every backend using it is refused from its next request, and impersonations it started end.</p>
          </ConfirmButton>
        )}
      </div>
      <dl className="facts">
        <div>
          <dt>Id</dt>
          <dd>
            <code>{apiKey.id}</code>
          </dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>{when(apiKey.createdAt)}</dd>
        </div>
        <div>
          <dt>Last used</dt>
          <dd>{when(apiKey.lastUsedAt)}</dd>
        </div>
        <div>
          <dt>Expires</dt>
          <dd>{apiKey.expiresAt ? when(apiKey.expiresAt) : 'never'}</dd>
        </div>
        {revoked && (
          <div>
            <dt>Revoked</dt>
            <dd>{when(apiKey.revokedAt)}</dd>
          </div>
        )}
      </dl>
    </li>
  );
}
