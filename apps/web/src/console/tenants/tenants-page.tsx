import { tenantLabel } from '../../api.js';
import { useId, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { useAuth } from '../../auth.js';
import { Page } from '../../page.js';
import { QueryState } from '../../ui/query-state.js';
import '../directory.css';
import { Pager, usePager } from '../audit/pager.js';
import { submit } from '../catalog/catalog-data.js';
import { useAction } from '../../ui/action.js';

/** `/console/tenants`: every tenant for super admins; a tenant admin sees the tenants they administer (the API filters). */
export function TenantsPage() {
  const { client, access } = useAuth();
  const pager = usePager();
  const tenants = useQuery({
    queryKey: ['tenants', pager.after],
    queryFn: () => client.tenants.list({ limit: 25, after: pager.after }),
  });
  return (
    <Page title="Tenants">
      {access.superAdmin ? <CreateTenant /> : <p className="hint">The tenants you administer.</p>}
      <QueryState query={tenants}>
        {(page) => (
          <>
            {page.items.length === 0 ? (
              <p className="muted">No tenants yet.</p>
            ) : (
              <div className="table-wrap">
                <table>
                  <caption className="sr-only">Tenants</caption>
                  <thead>
                    <tr>
                      <th scope="col">Name</th>
                      <th scope="col">Id</th>
                      <th scope="col">Created</th>
                    </tr>
                  </thead>
                  <tbody>
                    {page.items.map((tenant) => (
                      <tr key={tenant.tenantId}>
                        <td>
                          <Link to={`/console/tenants/${encodeURIComponent(tenant.tenantId)}`}>
                            {tenantLabel(tenant)}
                          </Link>
                        </td>
                        <td>
                          <code>{tenant.tenantId}</code>
                        </td>
                        <td>{new Date(tenant.createdAt).toLocaleDateString()}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            <Pager pager={pager} next={page.next} label="Tenant" />
          </>
        )}
      </QueryState>
    </Page>
  );
}

function CreateTenant() {
  const { client } = useAuth();
  const { run, busy } = useAction();
  const [name, setName] = useState('');
  const [tenantId, setTenantId] = useState('');
  const prefix = useId();
  return (
    <form
      className="card create-form"
      onSubmit={submit(async () => {
        const ok = await run(
          () => client.tenants.create({ name: name.trim(), tenantId: tenantId.trim() || undefined }),
          `Created the tenant ${name.trim()}.`,
          [['tenants']],
        );
        if (ok) {
          setName('');
          setTenantId('');
        }
      })}
    >
      <h2>New tenant</h2>
      <div className="fields">
        <div>
          <label htmlFor={`${prefix}-name`}>Name</label>
          <input
            id={`${prefix}-name`}
            value={name}
            onChange={(e) => setName(e.target.value)}
            required
            maxLength={200}
          />
        </div>
        <div>
          <label htmlFor={`${prefix}-id`}>Id (optional)</label>
          <input
            id={`${prefix}-id`}
            value={tenantId}
            onChange={(e) => setTenantId(e.target.value)}
            pattern="[A-Za-z0-9._@|:\-]{1,128}"
            aria-describedby={`${prefix}-id-hint`}
          />
          <p className="hint" id={`${prefix}-id-hint`}>
            Your system's id for it; a UUID is made when empty.
          </p>
        </div>
      </div>
      <button type="submit" disabled={busy}>
        Create tenant
      </button>
    </form>
  );
}
