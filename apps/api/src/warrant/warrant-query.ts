import { ApiError } from '../infra/http/api-error.js';

/** One warrant as Warrant's API shows it. */
export interface WarrantView {
  objectType: string;
  objectId: string;
  relation: string;
  subject: { objectType: string; objectId: string; relation?: string };
  context?: Record<string, string>;
}

export interface Clause {
  object?: { objectType: string; objectId: string };
  relation?: string;
  subject?: { objectType: string; objectId: string; relation?: string };
  context?: Record<string, string>;
}

const bad = (message: string) => new ApiError('invalid_request', message, { fields: { query: message } });

function ref(value: string, key: string): { objectType: string; objectId: string; relation?: string } {
  const [target, relation] = value.split('#');
  const colon = target!.indexOf(':');
  if (colon <= 0 || colon === target!.length - 1) throw bad(`${key} must look like type:id`);
  return { objectType: target!.slice(0, colon), objectId: target!.slice(colon + 1), ...(relation ? { relation } : {}) };
}

/**
 * Parses one clause of the SDK's Query: `object=type:id,relation=r,subject=type:id#rel,context=k=v k2=v2`
 * (as Query.toObject() writes it, keys in any order).
 */
export function parseClause(text: string | undefined): Clause {
  const clause: Clause = {};
  if (text === undefined || text === '') return clause;
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw bad(`cannot read "${part}"`);
    const key = part.slice(0, eq);
    const value = part.slice(eq + 1);
    if (key === 'object') clause.object = ref(value, key);
    else if (key === 'subject') clause.subject = ref(value, key);
    else if (key === 'relation') clause.relation = value;
    else if (key === 'context') {
      clause.context = Object.fromEntries(
        value
          .split(' ')
          .filter((pair) => pair.includes('='))
          .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
      );
    } else throw bad(`unknown key ${key}`);
  }
  return clause;
}

/** Whether a warrant satisfies a clause. */
export function matches(w: WarrantView, c: Clause): boolean {
  if (c.object && (c.object.objectType !== w.objectType || c.object.objectId !== w.objectId)) return false;
  if (c.relation !== undefined && c.relation !== w.relation) return false;
  if (c.subject && (c.subject.objectType !== w.subject.objectType || c.subject.objectId !== w.subject.objectId))
    return false;
  if (c.context) for (const [k, v] of Object.entries(c.context)) if (w.context?.[k] !== v) return false;
  return true;
}
