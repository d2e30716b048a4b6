import {
  TesseraClient,
  TesseraError,
  type ErrorCode,
  type InvalidTokenReason,
  type WeakPasswordReason,
} from '@tessera/client';

/** The demo app is served by the API itself, so the API is its own origin. */
export const baseUrl = window.location.origin;

const USER_TOKEN = 'tessera.userToken';
const ACTING = 'tessera.acting';

/** Sent on `window` whenever the stored token changes, so the signed-in state follows. */
export const TOKEN_CHANGED = 'tessera:token';

const changed = () => window.dispatchEvent(new Event(TOKEN_CHANGED));

/** An impersonation under way: the app runs with its token; the person's own token is kept aside. */
export interface Acting {
  token: string;
  sessionId: string;
  userId: string;
  /** The user acted as, as shown: email, or id. */
  label: string;
  reason: string;
  /** When the time limit ends it (epoch ms). */
  endsAt: number;
  /** The console page to go back to on Stop. */
  returnTo: string;
}

function isActing(value: unknown): value is Acting {
  const a = value as Partial<Acting> | null;
  return typeof a?.token === 'string' && typeof a.sessionId === 'string' && typeof a.endsAt === 'number';
}

/** The impersonation under way in this tab, beside (never instead of) the person's own token. */
export const acting = {
  get: (): Acting | null => {
    try {
      const value: unknown = JSON.parse(sessionStorage.getItem(ACTING) ?? 'null');
      return isActing(value) ? value : null;
    } catch {
      return null;
    }
  },
  set: (value: Acting) => {
    sessionStorage.setItem(ACTING, JSON.stringify(value));
    changed();
  },
  clear: () => {
    sessionStorage.removeItem(ACTING);
    changed();
  },
};

/**
 * The token the app sends: the impersonation's while acting, else the signed-in person's own, which
 * lives in sessionStorage (gone with the tab, never in localStorage). Clearing while acting ends
 * only the acting: a page that meets a 401 then returns to the person's own session, never loses it.
 */
export const userToken = {
  get: (): string | null => acting.get()?.token ?? sessionStorage.getItem(USER_TOKEN),
  /** The person's own token, whether or not they are acting as someone. */
  own: (): string | null => sessionStorage.getItem(USER_TOKEN),
  set: (token: string) => {
    sessionStorage.setItem(USER_TOKEN, token);
    changed();
  },
  clear: () => {
    if (acting.get()) acting.clear();
    else {
      sessionStorage.removeItem(USER_TOKEN);
      changed();
    }
  },
};

export const anonymous = new TesseraClient({ baseUrl });
export const withToken = (token: string) => new TesseraClient({ baseUrl, token });

/**
 * A sentence a person can act on, for any error the client throws. `instead` words some codes for
 * the form at hand (a wrong password on the account page is not a failed sign-in).
 */
export function describe(error: unknown, instead: Partial<Record<ErrorCode, string>> = {}): string {
  if (!(error instanceof TesseraError)) return 'Tessera could not be reached. Check your connection and try again.';
  const own = instead[error.code];
  if (own !== undefined) return own;
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
    case 'invalid_otp':
      return 'That code is not right, or it was already used. Enter the current code from your authenticator app.';
    case 'weak_password':
      return weakPassword(error);
    case 'invalid_token':
      return invalidToken(error);
    case 'email_not_verified':
      return 'Please verify your email address first: open the link we mailed you, then sign in again.';
    case 'mfa_enrollment_required':
      return 'Your organization requires two-step verification: set it up under Account security to continue.';
    case 'sign_up_closed':
      return 'Sign-up is closed on this server. Ask an administrator to create an account for you.';
    case 'invalid_request': {
      const fields = (error.details?.fields ?? {}) as Record<string, string>;
      const parts = Object.entries(fields).map(([field, problem]) => `${field}: ${problem}`);
      return parts.length > 0 ? `Please check: ${parts.join('; ')}` : error.message;
    }
    default:
      return error.message;
  }
}

const WEAK_PASSWORD: Record<WeakPasswordReason, string> = {
  too_short: 'This password is too short.',
  too_long: 'This password is too long: use at most 256 characters.',
  common: 'This password is one of the most common passwords, the first ones an attacker tries. Choose another.',
  same_as_email: 'The password must not be your email address.',
};

/** Why the server refused a new password (400 `weak_password`), in words. */
function weakPassword(error: TesseraError): string {
  const reason = error.details?.reason as WeakPasswordReason | undefined;
  if (reason === 'too_short') {
    // The minimum is the server's setting; its message names it.
    const min = /\d+/.exec(error.message)?.[0];
    return min ? `This password is too short: use at least ${min} characters.` : WEAK_PASSWORD.too_short;
  }
  return (reason && WEAK_PASSWORD[reason]) ?? 'Please choose a stronger password.';
}

const INVALID_TOKEN: Record<InvalidTokenReason, string> = {
  unknown: 'This link is not valid. Check that you opened the whole link from the email.',
  used: 'This link was already used. Links work once.',
  expired: 'This link has expired.',
  superseded: 'A newer link replaced this one: use the link in the most recent email.',
};

/** Why a reset or verification link was refused (400 `invalid_token`), in words. */
function invalidToken(error: TesseraError): string {
  const reason = error.details?.reason as InvalidTokenReason | undefined;
  return (reason && INVALID_TOKEN[reason]) ?? INVALID_TOKEN.unknown;
}

export { TesseraError };

/** A tenant's name, or its id when it has none (tenants made through /warrant may be unnamed). */
export const tenantLabel = (tenant: { tenantId: string; name: string | null }): string =>
  tenant.name || tenant.tenantId;
