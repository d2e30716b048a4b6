import { ApiError } from '../infra/http/api-error.js';

/**
 * A duration in seconds a request asked for (`expiration`, `ttl`): above `max` it is a 400 naming
 * the field, never silently lowered; absent, it is `fallback`, itself kept within `max`.
 */
export function secondsWithin(field: string, requested: number | undefined, fallback: number, max: number): number {
  if (requested !== undefined && requested > max) {
    throw new ApiError('invalid_request', 'The request is not valid', {
      fields: { [field]: `must be between 1 and ${max} seconds` },
    });
  }
  return requested ?? Math.min(fallback, max);
}
