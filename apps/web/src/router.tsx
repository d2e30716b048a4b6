import type { AnchorHTMLAttributes } from 'react';
import { Link as RouterLink, type createBrowserRouter } from 'react-router';

type Router = ReturnType<typeof createBrowserRouter>;
let router: Router | null = null;

/** main.tsx hands over the app's router, so code outside components can navigate too. */
export function useRouterForNavigation(value: Router): void {
  router = value;
}

/** Opens `path`; `state` rides along in the history entry (a page reads it with `useLocation().state`). */
export function navigate(path: string, state: unknown = null): void {
  void router?.navigate(path, { state });
}

/** An in-app link written like a plain anchor (`href`); React Router does the navigation. */
export function Link({ href, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  return <RouterLink to={href} {...rest} />;
}
