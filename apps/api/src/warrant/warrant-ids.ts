import { BUILT_IN_PERMISSIONS, BUILT_IN_ROLES } from '@tessera/dto';
import { ApiError } from '../infra/http/api-error.js';

/**
 * A Warrant user's own roles and permissions may be called like Tessera's built-ins (`admin`,
 * `member`, `manager`, …). Under /warrant those names are the user's own: they are kept in Tessera
 * as `warrant:<name>`, so they never become (or widen) the built-in of that name, and /warrant
 * never shows the built-ins. Every other id is the same on both sides.
 */
const PREFIX = 'warrant:';
const BUILT_IN: Record<'role' | 'permission', readonly string[]> = {
  role: BUILT_IN_ROLES,
  permission: BUILT_IN_PERMISSIONS,
};

export type NamedKind = 'role' | 'permission';

/** The Tessera id of a Warrant role or permission id. */
export function toTessera(kind: NamedKind, id: string): string {
  if (BUILT_IN[kind].includes(id)) return PREFIX + id;
  if (id.startsWith(PREFIX) && BUILT_IN[kind].includes(id.slice(PREFIX.length))) {
    // `warrant:admin` is how Tessera keeps the user's `admin`: as a Warrant id it would be ambiguous.
    throw new ApiError('invalid_request', `${id} is reserved`, { fields: { [`${kind}Id`]: `${id} is reserved` } });
  }
  return id;
}

/** The Warrant id of a Tessera role or permission id. */
export function toWarrant(kind: NamedKind, id: string): string {
  return id.startsWith(PREFIX) && BUILT_IN[kind].includes(id.slice(PREFIX.length)) ? id.slice(PREFIX.length) : id;
}

/** Tessera's built-ins, which /warrant lists leave out. */
export function builtIns(kind: NamedKind): readonly string[] {
  return BUILT_IN[kind];
}

/** A Tessera id of either kind as Warrant shows it (for error bodies, where the kind is not known). */
export function anyToWarrant(id: string): string {
  return toWarrant('role', toWarrant('permission', id));
}
