import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { ListQuery, Page } from '@tessera/dto';
import { ApiError } from '../http/api-error.js';

/** A list request: API.md's cursor (`after`), or an offset for page-numbered compatibility APIs. */
export type Listing = ListQuery & { offset?: number };

/** Cursors are opaque to clients: base64url of the last row's sort key. */
function encodeCursor(createdAt: number, id: string): string {
  return Buffer.from(JSON.stringify([createdAt, id]), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): [number, string] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && Number.isSafeInteger(value[0]) && typeof value[1] === 'string') {
      return [value[0] as number, value[1]];
    }
  } catch {
    // fall through to the 400 below
  }
  throw new ApiError('invalid_request', 'Invalid cursor', { fields: { after: 'not a cursor from this list' } });
}

/**
 * Keyset pagination on (created_at, id): stable under inserts, no duplicates or gaps,
 * and an index range scan instead of an OFFSET.
 */
export async function paginate<T extends ObjectLiteral & { createdAt: number }>(
  qb: SelectQueryBuilder<T>,
  query: Listing,
  { order = 'ASC', key = 'id' }: { order?: 'ASC' | 'DESC'; key?: keyof T & string } = {},
): Promise<Page<T>> {
  const a = qb.alias;
  if (query.offset !== undefined) {
    // Page-numbered lists (the Warrant-compatible API): same order, counted from the start.
    const rows = await qb
      .orderBy(`${a}.createdAt`, order)
      .addOrderBy(`${a}.${key}`, order)
      .skip(query.offset)
      .take(query.limit)
      .getMany();
    return { items: rows, next: null };
  }
  if (query.after !== undefined) {
    const [createdAt, id] = decodeCursor(query.after);
    const cmp = order === 'ASC' ? '>' : '<';
    qb.andWhere(`(${a}.createdAt ${cmp} :cursorAt OR (${a}.createdAt = :cursorAt AND ${a}.${key} ${cmp} :cursorId))`, {
      cursorAt: createdAt,
      cursorId: id,
    });
  }
  const rows = await qb
    .orderBy(`${a}.createdAt`, order)
    .addOrderBy(`${a}.${key}`, order)
    .take(query.limit + 1)
    .getMany();
  const items = rows.slice(0, query.limit);
  const last = items[items.length - 1];
  return { items, next: rows.length > query.limit && last ? encodeCursor(last.createdAt, String(last[key])) : null };
}
