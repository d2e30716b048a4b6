import { useEffect, useState, type AnchorHTMLAttributes, type MouseEvent } from 'react';

/** A tiny history router: a handful of pages do not need a routing library (yet). */
export function usePath(): string {
  const [path, setPath] = useState(window.location.pathname);
  useEffect(() => {
    const update = () => setPath(window.location.pathname);
    window.addEventListener('popstate', update);
    window.addEventListener('tessera:navigate', update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener('tessera:navigate', update);
    };
  }, []);
  return path;
}

/** Opens `path`; `state` rides along in the history entry (a page reads it from `window.history.state`). */
export function navigate(path: string, state: unknown = null): void {
  window.history.pushState(state, '', path);
  window.dispatchEvent(new Event('tessera:navigate'));
}

export function Link({ href, onClick, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const follow = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    navigate(href);
  };
  return <a href={href} onClick={follow} {...rest} />;
}
