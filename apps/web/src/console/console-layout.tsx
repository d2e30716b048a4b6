import { Navigate, NavLink, Outlet } from 'react-router';
import { useAuth } from '../auth.js';
import { Page } from '../page.js';

/** Tenant admins see the areas the API opens to them (their tenants' members and tenants). */
const AREAS = [
  { to: '/console/users', label: 'Users' },
  { to: '/console/tenants', label: 'Tenants' },
  { to: '/console/catalog', label: 'Roles & permissions', superAdminOnly: true },
  { to: '/console/pricing', label: 'Pricing & features', superAdminOnly: true },
  { to: '/console/api-keys', label: 'API keys', superAdminOnly: true },
  { to: '/console/audit', label: 'Audit log', superAdminOnly: true },
];

/** The admin console's frame: its own navigation beside the page; only for those the API lets in. */
export function ConsoleLayout() {
  const { me, loading, access } = useAuth();
  if (loading) return <p aria-busy="true">Loading…</p>;
  if (!me) return <Navigate to="/" replace />;
  if (!access.console)
    return (
      <Page title="Console">
        <p>The console is for administrators. Your account has no administration rights.</p>
      </Page>
    );
  return (
    <div className="console">
      <nav aria-label="Console" className="console-nav">
        {AREAS.filter((area) => access.superAdmin || !area.superAdminOnly).map(({ to, label }) => (
          <NavLink key={to} to={to}>
            {label}
          </NavLink>
        ))}
      </nav>
      <div className="console-page">
        <Outlet />
      </div>
    </div>
  );
}
