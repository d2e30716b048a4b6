import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Link, usePath } from './router.js';
import { SignInPage } from './pages/sign-in.js';
import { SessionsPage } from './pages/sessions.js';
import { ChecksPage } from './pages/checks.js';
import { SelfServicePage } from './pages/self-service.js';
import './styles.css';

function App() {
  const path = usePath();
  // The dashboard is a page of its own, opened from a link a backend sent: no app navigation there.
  if (path === '/self-service') return <SelfServicePage />;
  const page = path === '/sessions' ? <SessionsPage /> : path === '/checks' ? <ChecksPage /> : <SignInPage />;
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="bar">
        <span className="brand">Tessera</span>
        <nav aria-label="Main">
          <Link href="/" aria-current={path === '/' ? 'page' : undefined}>
            Sign in
          </Link>
          <Link href="/sessions" aria-current={path === '/sessions' ? 'page' : undefined}>
            My sessions
          </Link>
          <Link href="/checks" aria-current={path === '/checks' ? 'page' : undefined}>
            Checks
          </Link>
        </nav>
      </header>
      <main id="main">{page}</main>
    </>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
