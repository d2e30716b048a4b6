import { useId, useState } from 'react';
import { useQueries, useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import type { AuditEvent, AuditEventType, User } from '@tessera/client';
import { useAuth } from '../../auth.js';
import { QueryState } from '../../ui/query-state.js';
import '../directory.css';
import { SuperAdminOnly } from '../catalog/super-admin-only.js';
import { UserPicker, personLabel } from '../tenants/user-picker.js';
import { EVENT_TYPES, sentence } from './audit-line.js';
import { Pager, usePager } from './pager.js';

/** The filters, kept in the address (`?userId&type&from&to`), so a filtered view can be linked to. */
interface Filters {
  userId?: string;
  type?: AuditEventType;
  from?: string;
  to?: string;
}

const isType = (value: string | null): value is AuditEventType => value !== null && value in EVENT_TYPES;

/** `datetime-local` speaks local time without a zone; the API speaks ISO UTC. */
const toIso = (local: string) => (local ? new Date(local).toISOString() : undefined);
const toLocal = (iso: string | undefined) => {
  if (!iso) return '';
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};

/** `/console/audit`: who did what, newest first, filtered by person, type and time. */
export function AuditPage() {
  return (
    <SuperAdminOnly title="Audit log">
      <AuditLog />
    </SuperAdminOnly>
  );
}

function AuditLog() {
  const [params, setParams] = useSearchParams();
  const type = params.get('type');
  const filters: Filters = {
    userId: params.get('userId') ?? undefined,
    type: isType(type) ? type : undefined,
    from: params.get('from') ?? undefined,
    to: params.get('to') ?? undefined,
  };
  const apply = (next: Filters) => {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(next)) if (value) search.set(key, value as string);
    setParams(search);
  };
  return (
    <>
      {/* A new filter starts both afresh: the form shows it, the events start at the first page.
          (Siblings need keys of their own.) */}
      <FilterForm key={`form?${params.toString()}`} filters={filters} onApply={apply} />
      <Events key={`events?${params.toString()}`} filters={filters} />
    </>
  );
}

function FilterForm({ filters, onApply }: { filters: Filters; onApply: (filters: Filters) => void }) {
  const { client } = useAuth();
  const [userId, setUserId] = useState(filters.userId);
  const [type, setType] = useState<string>(filters.type ?? '');
  const [from, setFrom] = useState(toLocal(filters.from));
  const [to, setTo] = useState(toLocal(filters.to));
  const prefix = useId();
  const person = useQuery({
    queryKey: ['user', userId],
    queryFn: () => client.users.get(userId!),
    enabled: userId !== undefined,
    staleTime: 60_000,
  });
  return (
    <form
      className="card filters"
      aria-label="Filter events"
      onSubmit={(event) => {
        event.preventDefault();
        onApply({ userId, type: isType(type) ? type : undefined, from: toIso(from), to: toIso(to) });
      }}
    >
      <h2>Filter</h2>
      <div className="fields">
        <div>
          {userId === undefined ? (
            <UserPicker label="Person (actor or subject)" onPick={(u: User) => setUserId(u.userId)} />
          ) : (
            <>
              <p className="label">Person (actor or subject)</p>
              <p className="chips">
                <span className="chip outline">
                  {person.data ? personLabel(person.data) : userId}
                  <button type="button" aria-label="Any person" onClick={() => setUserId(undefined)}>
                    ×
                  </button>
                </span>
              </p>
            </>
          )}
        </div>
        <div>
          <label htmlFor={`${prefix}-type`}>Type</label>
          <select id={`${prefix}-type`} value={type} onChange={(e) => setType(e.target.value)}>
            <option value="">Any type</option>
            {Object.entries(EVENT_TYPES).map(([value, { label }]) => (
              <option key={value} value={value}>
                {label} ({value})
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor={`${prefix}-from`}>From</label>
          <input id={`${prefix}-from`} type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} />
        </div>
        <div>
          <label htmlFor={`${prefix}-to`}>Until</label>
          <input id={`${prefix}-to`} type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} />
        </div>
      </div>
      <div className="actions">
        <button type="submit">Show events</button>
        <button type="button" className="secondary" onClick={() => onApply({})}>
          Clear filters
        </button>
      </div>
    </form>
  );
}

function Events({ filters }: { filters: Filters }) {
  const { client } = useAuth();
  const pager = usePager();
  const events = useQuery({
    queryKey: ['audit', filters, pager.after],
    queryFn: () => client.admin.auditEvents({ limit: 25, after: pager.after, ...filters }),
  });
  return (
    <QueryState query={events}>
      {(page) => (
        <>
          {page.items.length === 0 ? <p className="muted">No events match.</p> : <EventList events={page.items} />}
          <Pager pager={pager} next={page.next} label="Event" />
        </>
      )}
    </QueryState>
  );
}

/** The people named on a page, looked up once each (cached across pages): emails read better than ids. */
function usePeople(events: AuditEvent[]): (userId: string) => string {
  const { client } = useAuth();
  const ids = [...new Set(events.flatMap((e) => [e.actorUserId, e.userId]).filter((id): id is string => id !== null))];
  const people = useQueries({
    queries: ids.map((id) => ({
      queryKey: ['user', id],
      queryFn: () => client.users.get(id),
      staleTime: 60_000,
    })),
  });
  const names = new Map(ids.map((id, i) => [id, people[i]?.data ? personLabel(people[i].data) : id]));
  return (id) => names.get(id) ?? id;
}

function EventList({ events }: { events: AuditEvent[] }) {
  const name = usePeople(events);
  return (
    <ol className="events">
      {events.map((event) => {
        const details = Object.entries(event.details ?? {});
        return (
          <li key={event.id} className="event" data-type={event.type}>
            <p className="line">
              <time dateTime={event.at}>{new Date(event.at).toLocaleString()}</time>{' '}
              <span>{sentence(event, name)}</span>
              {event.tenantId && (
                <>
                  {' '}
                  in tenant <Link to={`/console/tenants/${encodeURIComponent(event.tenantId)}`}>{event.tenantId}</Link>
                </>
              )}
              <span className="badge">{event.type}</span>
            </p>
            {(details.length > 0 || event.ip) && (
              <dl className="facts">
                {details.map(([key, value]) => (
                  <div key={key}>
                    <dt>{key}</dt>
                    <dd>{typeof value === 'string' ? value : JSON.stringify(value)}</dd>
                  </div>
                ))}
                {event.ip && (
                  <div>
                    <dt>ip</dt>
                    <dd>{event.ip}</dd>
                  </div>
                )}
              </dl>
            )}
          </li>
        );
      })}
    </ol>
  );
}
