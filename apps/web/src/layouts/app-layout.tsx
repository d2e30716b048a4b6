import { NavLink, Outlet, useLocation } from 'react-router';
import { useAuth } from '../auth.js';
import { navigate } from '../router.js';
import { ActingBanner } from '../console/impersonation/acting-banner.js';

/** Navigation that follows the signed-in state: sign-in only when signed out. */
function MainNav() {
  const { me, access } = useAuth();
  const links = me
    ? [
        { to: '/sessions', label: 'My sessions' },
        { to: '/account', label: 'Account security' },
        { to: '/checks', label: 'Checks' },
        ...(access.console ? [{ to: '/console', label: 'Console' }] : []),
      ]
    : [{ to: '/', label: 'Sign in' }];
  return (
    <nav aria-label="Main">
      {links.map(({ to, label }) => (
        <NavLink key={to} to={to} end={to === '/'}>
          {label}
        </NavLink>
      ))}
    </nav>
  );
}

function Who() {
  const { me, signOut, acting } = useAuth();
  if (!me) return null;
  // While acting, the banner's Stop is the way out: the person's own session stays signed in.
  if (acting)
    return (
      <div className="who">
        <span>{me.user.email ?? me.user.userId}</span>
      </div>
    );
  return (
    <div className="who">
      <span>{me.user.email ?? me.user.userId}</span>
      <button
        type="button"
        className="link"
        onClick={() => {
          void signOut().then(() => navigate('/'));
        }}
      >
        Sign out
      </button>
    </div>
  );
}

/** Header, main landmark and skip link around every page but the self-service dashboard. */
export function AppLayout() {
  const { pathname } = useLocation();
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <ActingBanner />
      <header className="bar">
        <span className="brand">Tessera</span>
        <MainNav />
        <Who />
      </header>
      {/* A new page starts afresh; a change of its search (the users filters) keeps it, and its
          focus (LinkPage starts a second mail link's page afresh). */}
      <main id="main" key={pathname}>
        <Outlet />
      </main>
    </>
  );
}
