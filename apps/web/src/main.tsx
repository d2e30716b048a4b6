import { StrictMode, useEffect, useState, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { takeLinkToken } from './link-token.js';
import { Link, usePath } from './router.js';
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

const PAGES: Record<string, () => ReactNode> = {
  '/sessions': () => <SessionsPage />,
  '/checks': () => <ChecksPage />,
  '/account': () => <AccountPage />,
  '/forgot-password': () => <ForgotPasswordPage />,
  '/reset-password': () => <ResetPasswordPage />,
  '/verify-email': () => <VerifyEmailPage />,
  '/sign-up': () => <SignUpPage />,
};

const NAV = [
  { href: '/', label: 'Sign in' },
  { href: '/sessions', label: 'My sessions' },
  { href: '/account', label: 'Account security' },
  { href: '/checks', label: 'Checks' },
];

/** Bumped when a second mail link opens in the same tab (only the fragment changed): its page starts afresh. */
function useLinkGeneration(): number {
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    const changed = () => {
      if (takeLinkToken()) setGeneration((g) => g + 1);
    };
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return generation;
}

function App() {
  const path = usePath();
  const generation = useLinkGeneration();
  // The dashboard is a page of its own, opened from a link a backend sent: no app navigation there.
  if (path === '/self-service') return <SelfServicePage />;
  const page = (PAGES[path] ?? (() => <SignInPage />))();
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="bar">
        <span className="brand">Tessera</span>
        <nav aria-label="Main">
          {NAV.map(({ href, label }) => (
            <Link key={href} href={href} aria-current={path === href ? 'page' : undefined}>
              {label}
            </Link>
          ))}
        </nav>
      </header>
      <main id="main" key={`${path}#${generation}`}>
        {page}
      </main>
    </>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
