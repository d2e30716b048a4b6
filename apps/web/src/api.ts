import { TesseraClient, TesseraError } from '@tessera/client';

/** The demo app is served by the API itself, so the API is its own origin. */
export const baseUrl = window.location.origin;

const USER_TOKEN = 'tessera.userToken';

/** The signed-in user's session token lives in sessionStorage: gone with the tab, never in localStorage. */
export const userToken = {
  get: (): string | null => sessionStorage.getItem(USER_TOKEN),
  set: (token: string) => sessionStorage.setItem(USER_TOKEN, token),
  clear: () => sessionStorage.removeItem(USER_TOKEN),
};

export const anonymous = new TesseraClient({ baseUrl });
export const withToken = (token: string) => new TesseraClient({ baseUrl, token });

/** A sentence a person can act on, for any error the client throws. */
export function describe(error: unknown): string {
  if (!(error instanceof TesseraError)) return 'Tessera could not be reached. Check your connection and try again.';
  switch (error.code) {
    case 'invalid_credentials':
      return 'That email and password do not match an account.';
    case 'user_disabled':
      return 'This account is disabled. Ask an administrator.';
    case 'too_many_requests':
      return `Too many attempts. Try again in ${error.retryAfter ?? 60} seconds.`;
    case 'token_expired':
      return 'Your session has expired. Please sign in again.';
    case 'token_revoked':
      return 'Your session was ended. Please sign in again.';
    case 'forbidden':
      return error.message;
    case 'invalid_request': {
      const fields = (error.details?.fields ?? {}) as Record<string, string>;
      const parts = Object.entries(fields).map(([field, problem]) => `${field}: ${problem}`);
      return parts.length > 0 ? `Please check: ${parts.join('; ')}` : error.message;
    }
    default:
      return error.message;
  }
}

export { TesseraError };
