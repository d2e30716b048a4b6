import { z } from 'zod';

/** Caller-chosen ids (users, tenants, roles, permissions): API.md "Conventions". */
export const ID_PATTERN = /^[A-Za-z0-9._@|:-]{1,128}$/;

export const Id = z.string().regex(ID_PATTERN, 'must match ^[A-Za-z0-9._@|:-]{1,128}$');

/** Server-generated ids (sessions, API keys). */
export const Uuid = z.uuid();

export const Timestamp = z.iso.datetime().describe('ISO-8601 UTC');

export const ListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  after: z.string().min(1).max(512).optional(),
});
export type ListQuery = z.infer<typeof ListQuery>;

/** The list envelope of API.md: `{items, next}` where `next` is an opaque cursor or null. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), next: z.string().nullable() });
}

export interface Page<T> {
  items: T[];
  next: string | null;
}
