import { useId, useState } from 'react';
import type { UseQueryResult } from '@tanstack/react-query';
import { ConfirmButton } from '../../ui/confirm.js';
import { QueryState } from '../../ui/query-state.js';
import { named, submit } from './catalog-data.js';
import { useAction } from '../../ui/action.js';

/** A role, permission, pricing tier or feature as this section shows it. */
export interface CatalogRecord {
  id: string;
  name: string | null;
  description: string | null;
  /** A role's permissions, a tier's features. */
  links?: string[];
}

interface CatalogSectionProps {
  /** "Roles" */
  title: string;
  /** "role" */
  noun: string;
  /** Records that cannot be deleted (the built-in roles and permissions). */
  builtIn?: readonly string[];
  create: (record: { id: string; name?: string; description?: string }) => Promise<unknown>;
  update: (id: string, change: { name: string | null; description: string | null }) => Promise<unknown>;
  remove: (id: string) => Promise<unknown>;
  /** Query keys a change refetches. */
  touches: readonly (readonly unknown[])[];
  /** What each record holds (a role's permissions): the options and the calls that change them. */
  links?: {
    noun: string;
    options: { id: string; label: string }[];
    add: (id: string, linkId: string) => Promise<unknown>;
    remove: (id: string, linkId: string) => Promise<unknown>;
  };
}

/** One kind of catalog record: a form to create one, then each with edit, delete and its links. */
export function CatalogSection<T>({
  records,
  toRecord,
  ...props
}: CatalogSectionProps & { records: UseQueryResult<T[]>; toRecord: (item: T) => CatalogRecord }) {
  const { title, noun } = props;
  const headingId = useId();
  return (
    <section aria-labelledby={headingId} className="catalog-section">
      <h2 id={headingId}>{title}</h2>
      <CreateForm {...props} />
      <QueryState query={records}>
        {(items) =>
          items.length === 0 ? (
            <p className="muted">No {noun}s yet.</p>
          ) : (
            <ul className="records">
              {items.map(toRecord).map((record) => (
                <RecordCard key={record.id} record={record} {...props} />
              ))}
            </ul>
          )
        }
      </QueryState>
    </section>
  );
}

function CreateForm({ noun, create, touches }: CatalogSectionProps) {
  const { run, busy } = useAction();
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const prefix = useId();
  return (
    <form
      className="card create-form"
      onSubmit={submit(async () => {
        const created = await run(
          () => create({ id: id.trim(), name: name.trim() || undefined, description: description.trim() || undefined }),
          `Created the ${noun} ${id.trim()}.`,
          touches,
        );
        if (created) {
          setId('');
          setName('');
          setDescription('');
        }
      })}
    >
      <h3>New {noun}</h3>
      <div className="fields">
        <div>
          <label htmlFor={`${prefix}-id`}>Id</label>
          <input
            id={`${prefix}-id`}
            value={id}
            onChange={(e) => setId(e.target.value)}
            required
            pattern="[A-Za-z0-9._@|:\-]{1,128}"
            aria-describedby={`${prefix}-id-hint`}
          />
          <p className="hint" id={`${prefix}-id-hint`}>
            Letters, digits and . _ @ | : - (what your code checks for)
          </p>
        </div>
        <div>
          <label htmlFor={`${prefix}-name`}>Name</label>
          <input id={`${prefix}-name`} value={name} onChange={(e) => setName(e.target.value)} />
        </div>
        <div>
          <label htmlFor={`${prefix}-description`}>Description</label>
          <input id={`${prefix}-description`} value={description} onChange={(e) => setDescription(e.target.value)} />
        </div>
      </div>
      <button type="submit" disabled={busy}>
        Create {noun}
      </button>
    </form>
  );
}

function RecordCard({
  record,
  noun,
  builtIn = [],
  update,
  remove,
  touches,
  links,
}: CatalogSectionProps & { record: CatalogRecord }) {
  const { run, busy } = useAction();
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(record.name ?? '');
  const [description, setDescription] = useState(record.description ?? '');
  const [adding, setAdding] = useState('');
  const prefix = useId();
  const headingId = `${prefix}-heading`;
  const label = named(record.id, record.name);
  const held = new Set(record.links ?? []);
  const addable = links?.options.filter((o) => !held.has(o.id)) ?? [];
  return (
    <li className="card record">
      <div className="toolbar">
        <h3 id={headingId}>{label}</h3>
        <div className="actions">
          <button type="button" className="secondary" aria-expanded={editing} onClick={() => setEditing(!editing)}>
            {editing ? 'Cancel edit' : `Edit ${record.id}`}
          </button>
          {builtIn.includes(record.id) ? (
            <span className="badge muted">built in</span>
          ) : (
            <ConfirmButton
              label={`Delete ${record.id}`}
              title={`Delete the ${noun} ${record.id}?`}
              confirmLabel={`Delete ${noun}`}
              onConfirm={() => run(() => remove(record.id), `Deleted the ${noun} ${record.id}.`, touches)}
            >
              <p>Everyone who was given it loses it, at once.</p>
            </ConfirmButton>
          )}
        </div>
      </div>
      {record.description && !editing && <p className="muted">{record.description}</p>}
      {editing && (
        <form
          onSubmit={submit(async () => {
            const saved = await run(
              () => update(record.id, { name: name.trim() || null, description: description.trim() || null }),
              `Saved the ${noun} ${record.id}.`,
              touches,
            );
            if (saved) setEditing(false);
          })}
        >
          <label htmlFor={`${prefix}-name`}>Name</label>
          <input id={`${prefix}-name`} value={name} onChange={(e) => setName(e.target.value)} />
          <label htmlFor={`${prefix}-description`}>Description</label>
          <input id={`${prefix}-description`} value={description} onChange={(e) => setDescription(e.target.value)} />
          <button type="submit" disabled={busy}>
            Save
          </button>
        </form>
      )}
      {links && (
        <div className="links">
          <p className="hint">{links.noun[0]!.toUpperCase() + links.noun.slice(1)}s it holds:</p>
          <ul className="chips" aria-label={`${links.noun}s of ${record.id}`}>
            {held.size === 0 && <li className="muted">none</li>}
            {[...held].map((linkId) => (
              <li key={linkId} className="chip outline">
                {linkId}
                <button
                  type="button"
                  aria-label={`Remove ${links.noun} ${linkId} from ${record.id}`}
                  disabled={busy}
                  onClick={() =>
                    void run(() => links.remove(record.id, linkId), `${record.id} no longer holds ${linkId}.`, touches)
                  }
                >
                  ×
                </button>
              </li>
            ))}
          </ul>
          {addable.length > 0 && (
            <form
              className="grant"
              onSubmit={submit(async () => {
                if (!adding) return;
                if (await run(() => links.add(record.id, adding), `${record.id} now holds ${adding}.`, touches))
                  setAdding('');
              })}
            >
              <label htmlFor={`${prefix}-link`}>
                Add a {links.noun} to {record.id}
              </label>
              <select id={`${prefix}-link`} value={adding} onChange={(e) => setAdding(e.target.value)} required>
                <option value="">Choose a {links.noun}…</option>
                {addable.map((o) => (
                  <option key={o.id} value={o.id}>
                    {o.label}
                  </option>
                ))}
              </select>
              <button type="submit" disabled={busy || !adding}>
                Add
              </button>
            </form>
          )}
        </div>
      )}
    </li>
  );
}
