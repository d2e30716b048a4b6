/** The pages mail links open; their token is in the fragment (`#token=…`), never sent to a server by the browser. */
const LINK_PAGES = ['/reset-password', '/verify-email'];

let taken: { path: string; token: string } | null = null;

/**
 * On a link page, reads `#token=` and at once wipes the fragment from the address bar (and so from
 * the history, a bookmark, a shared screen) before the app renders or sends anything. The token then
 * lives in this module's memory only. Called at start-up and when only the fragment changes (a
 * second link opened in the same tab). Answers whether a new token was taken.
 */
export function takeLinkToken(): boolean {
  const { pathname, search, hash } = window.location;
  if (!LINK_PAGES.includes(pathname) || hash === '') return false;
  const token = new URLSearchParams(hash.slice(1)).get('token');
  window.history.replaceState(null, '', pathname + search);
  if (!token) return false;
  taken = { path: pathname, token };
  return true;
}

/** The token of the link that opened `path`, if any. */
export function linkToken(path: string): string | null {
  return taken?.path === path ? taken.token : null;
}

/** Once a token has done its work: coming back to the page later does not send it again. */
export function forgetLinkToken(): void {
  taken = null;
}
