import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { Navigate, RouterProvider, createBrowserRouter, useLocation } from 'react-router';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { takeLinkToken } from './link-token.js';
import { useRouterForNavigation } from './router.js';
import { AuthProvider, useAuth } from './auth.js';
import { ToastProvider } from './ui/toast.js';
import { NotFoundPage } from './ui/not-found.js';
import { AppLayout } from './layouts/app-layout.js';
import { ConsoleLayout } from './console/console-layout.js';
import { UsersPage } from './console/users/users-page.js';
import { UserPage } from './console/users/user-page.js';
import { TenantsPage } from './console/tenants/tenants-page.js';
import { TenantPage } from './console/tenants/tenant-page.js';
import { CatalogPage } from './console/catalog/catalog-page.js';
import { PricingPage } from './console/pricing/pricing-page.js';
import { ApiKeysPage } from './console/api-keys/api-keys-page.js';
import { AuditPage } from './console/audit/audit-page.js';
import { SignInPage } from './pages/sign-in.js';
import { SessionsPage } from './pages/sessions.js';
import { ChecksPage } from './pages/checks.js';
import { SelfServicePage } from './pages/self-service.js';
import { AccountPage } from './pages/account.js';
import { ForgotPasswordPage } from './pages/forgot-password.js';
import { ResetPasswordPage } from './pages/reset-password.js';
import { VerifyEmailPage } from './pages/verify-email.js';
import { SignUpPage } from './pages/sign-up.js';
import './styles.css';

// Before anything renders or is sent: a mail link's token leaves the address bar.
takeLinkToken();

/** `/`: the sign-in page when signed out, else the person's home (the console for administrators). */
function Home() {
  const { me, loading, access } = useAuth();
  if (loading) return <p aria-busy="true">Loading…</p>;
  if (!me) return <SignInPage />;
  return <Navigate to={access.console ? '/console/users' : '/sessions'} replace />;
}

/** A second mail link opened in the same tab changes only the fragment: its page starts afresh. */
function LinkPage({ children }: { children: React.ReactNode }) {
  const [generation, setGeneration] = useState(0);
  const { pathname } = useLocation();
  useEffect(() => {
    const changed = () => {
      if (takeLinkToken()) setGeneration((g) => g + 1);
    };
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return <div key={`${pathname}#${generation}`}>{children}</div>;
}

const router = createBrowserRouter([
  // The dashboard is a page of its own, opened from a link a backend sent: no app navigation there.
  { path: '/self-service', element: <SelfServicePage /> },
  {
    element: <AppLayout />,
    children: [
      { path: '/', element: <Home /> },
      { path: '/sessions', element: <SessionsPage /> },
      { path: '/account', element: <AccountPage /> },
      { path: '/checks', element: <ChecksPage /> },
      { path: '/forgot-password', element: <ForgotPasswordPage /> },
      { path: '/reset-password', element: <LinkPage children={<ResetPasswordPage />} /> },
      { path: '/verify-email', element: <LinkPage children={<VerifyEmailPage />} /> },
      { path: '/sign-up', element: <SignUpPage /> },
      {
        path: '/console',
        element: <ConsoleLayout />,
        children: [
          { index: true, element: <Navigate to="/console/users" replace /> },
          { path: 'users', element: <UsersPage /> },
          { path: 'users/:userId', element: <UserPage /> },
          { path: 'tenants', element: <TenantsPage /> },
          { path: 'tenants/:tenantId', element: <TenantPage /> },
          { path: 'catalog', element: <CatalogPage /> },
          { path: 'pricing', element: <PricingPage /> },
          { path: 'api-keys', element: <ApiKeysPage /> },
          { path: 'audit', element: <AuditPage /> },
        ],
      },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
]);
useRouterForNavigation(router);

// Server state: cached per query key, refetched after changes (each mutation invalidates its keys).
const queryClient = new QueryClient({
  defaultOptions: { queries: { retry: false, refetchOnWindowFocus: true } },
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <ToastProvider>
        <AuthProvider>
          <RouterProvider router={router} />
        </AuthProvider>
      </ToastProvider>
    </QueryClientProvider>
  </StrictMode>,
);
