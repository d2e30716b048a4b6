import type { ValueTransformer } from 'typeorm';
import { BoundedCache } from '../common/bounded-cache.js';

/**
 * Times are stored as epoch milliseconds in a BIGINT on every database: one portable type,
 * cheap to compare in the hot path. PostgreSQL returns BIGINT as a string, hence the transformer.
 */
export const epochMs: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};

/**
 * Recent times as ISO strings: every request of a session answers with the same few times (its
 * creation, expiry, its user's), and formatting a Date costs more than finding it here.
 */
const isoStrings = new BoundedCache<number, string>(10_000);

export function iso(ms: number): string {
  let text = isoStrings.get(ms);
  if (text === undefined) {
    text = new Date(ms).toISOString();
    isoStrings.set(ms, text);
  }
  return text;
}
export const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));
