import { ApiError } from '../infra/http/api-error.js';

/** What an Authorization header presents. */
export type HeaderCredential = { kind: 'session'; token: string } | { kind: 'api_key'; secret: string };

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const MAX_CREDENTIAL_LENGTH = 4096;

/**
 * `Bearer <jwt>` is a session token; `ApiKey <key>` or a `Bearer` value that is not a JWT is an API
 * key; no header is null; anything else is 401 unauthorized.
 */
export function parseAuthorization(header: string | undefined): HeaderCredential | null {
  if (header === undefined || header === '') return null;
  const match = /^(Bearer|ApiKey) +(\S+)$/i.exec(header);
  const value = match?.[2];
  if (!match || value === undefined || value.length > MAX_CREDENTIAL_LENGTH) {
    throw new ApiError('unauthorized', 'Malformed Authorization header');
  }
  if (match[1]!.toLowerCase() === 'bearer' && JWT_SHAPE.test(value)) return { kind: 'session', token: value };
  return { kind: 'api_key', secret: value };
}
