import {
  GraphQLError,
  Kind,
  parse,
  specifiedRules,
  validate,
  type ASTNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { BoundedCache } from '../common/bounded-cache.js';
import { sha256Hex } from '../common/crypto.js';
import { tenantSchema } from './tenant.schema.js';

/** Deeper selections than any document of the official client (its `me` is 5 levels). */
export const MAX_DEPTH = 12;
/** Root fields per operation: aliases cannot turn one request into a batch of sign-ins. */
export const MAX_ROOT_FIELDS = 5;
/** Parsed and validated documents kept, like Contember's own cache (two generations of 50). */
const CACHED_DOCUMENTS = 50;
/** A document with more tokens is refused while parsing, before it costs memory. */
const MAX_TOKENS = 5_000;

/** A document ready to execute, or the errors that refuse it (answered 400). */
export type Prepared =
  { document: DocumentNode; errors?: undefined } | { document?: undefined; errors: GraphQLError[] };

/** The deepest selection set under `node`, fragments followed (each at most once per path). */
function depthOf(
  selections: SelectionSetNode | undefined,
  fragments: Map<string, FragmentDefinitionNode>,
  seen: Set<string>,
): number {
  if (!selections) return 0;
  let deepest = 0;
  for (const selection of selections.selections) {
    if (selection.kind === Kind.FIELD) {
      deepest = Math.max(deepest, 1 + depthOf(selection.selectionSet, fragments, seen));
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      deepest = Math.max(deepest, depthOf(selection.selectionSet, fragments, seen));
    } else {
      const name = selection.name.value;
      const fragment = fragments.get(name);
      if (!fragment || seen.has(name)) continue; // a cycle is the spec's NoFragmentCycles error
      seen.add(name);
      deepest = Math.max(deepest, depthOf(fragment.selectionSet, fragments, seen));
      seen.delete(name);
    }
  }
  return deepest;
}

/** The root fields an operation selects, through its fragments. */
export function rootFieldNames(
  selections: SelectionSetNode,
  fragments: Map<string, FragmentDefinitionNode>,
  seen = new Set<string>(),
): string[] {
  return selections.selections.flatMap((selection) => {
    if (selection.kind === Kind.FIELD) return [selection.name.value];
    if (selection.kind === Kind.INLINE_FRAGMENT) return rootFieldNames(selection.selectionSet, fragments, seen);
    const fragment = fragments.get(selection.name.value);
    if (!fragment || seen.has(fragment.name.value)) return [];
    seen.add(fragment.name.value);
    return rootFieldNames(fragment.selectionSet, fragments, seen);
  });
}

export function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  return fragments;
}

/** ASVS 4.3.1: a query's depth and its number of root fields are bounded. */
const BoundedOperations: ValidationRule = (context: ValidationContext) => {
  const fragments = fragmentsOf(context.getDocument());
  const refuse = (message: string, node: ASTNode) => context.reportError(new GraphQLError(message, { nodes: node }));
  return {
    OperationDefinition(operation) {
      if (depthOf(operation.selectionSet, fragments, new Set()) > MAX_DEPTH) {
        refuse(`The query is deeper than ${MAX_DEPTH} levels`, operation);
      }
      if (rootFieldNames(operation.selectionSet, fragments).length > MAX_ROOT_FIELDS) {
        refuse(`An operation may select at most ${MAX_ROOT_FIELDS} root fields`, operation);
      }
    },
  };
};

const RULES = [...specifiedRules, BoundedOperations];

/** Parses and validates documents against the tenant schema, remembering the outcome per document. */
export class TenantDocuments {
  private readonly cache = new BoundedCache<string, Prepared>(CACHED_DOCUMENTS);

  prepare(query: string): Prepared {
    const key = sha256Hex(query);
    const cached = this.cache.get(key);
    if (cached) return cached;
    const prepared = prepareUncached(query);
    this.cache.set(key, prepared);
    return prepared;
  }
}

function prepareUncached(query: string): Prepared {
  let document: DocumentNode;
  try {
    document = parse(query, { noLocation: false, maxTokens: MAX_TOKENS });
  } catch (error) {
    if (error instanceof GraphQLError) return { errors: [error] };
    throw error;
  }
  const errors = validate(tenantSchema, document, RULES, { maxErrors: 10 });
  return errors.length > 0 ? { errors: [...errors] } : { document };
}
