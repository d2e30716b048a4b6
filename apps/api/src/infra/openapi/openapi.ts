import { STATUS_CODES } from 'node:http';
import { z } from 'zod';
import { ERROR_CODES, SESSION_TYPES, WARRANT_INVALID_REQUEST_CODES, type ErrorCode } from '@tessera/dto';
import { ApiError } from '../http/api-error.js';
import { AUTH_KEY, type Caller } from '../http/auth.decorator.js';
import {
  CONTRACT_KEY,
  ERRORS_KEY,
  type ContractError,
  type ContractHandler,
  type ContractSpec,
} from '../http/contract.decorator.js';

type Json = Record<string, unknown>;

/** A route with a contract as Fastify registered it: its method, its full path, its handler. */
export interface ContractRoute extends ContractHandler {
  verb: string;
  url: string;
}

/** Warrant-compatible routes: their error filter answers Warrant's codes for a bad request. */
const WARRANT_PREFIX = '/warrant/';

const schema = (s: z.ZodType, io: 'input' | 'output'): Json => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Json;
  return rest;
};

function security(callers: Caller[] | undefined): Json[] {
  if (!callers || callers.includes('anyone')) return [];
  if (callers.includes('sign-in')) return [{}, { apiKey: [] }];
  if (callers.includes('optional')) return [{}, { session: [] }, { apiKey: [] }];
  const allowsSession = callers.some((c) => c !== 'admin');
  const list: Json[] = [];
  if (allowsSession || callers.includes('admin')) list.push({ session: [] });
  if (callers.includes('admin')) list.push({ apiKey: [] });
  return list;
}

/** The status ApiError gives a code: the one table of API.md's statuses. */
const statusOf = (code: ErrorCode) => new ApiError(code, '').status;

const isSessionType = (c: Caller) => (SESSION_TYPES as readonly string[]).includes(c);

/** What the OpenAPI document knows of a route's errors. */
interface ErrorFacts {
  spec: ContractSpec;
  callers: Caller[] | undefined;
  hasPathParams: boolean;
  /** The route's @Errors. */
  declared: readonly ContractError[];
}

/**
 * The error codes a route can answer, by status: what its inputs and @Auth imply, plus its @Errors.
 * Every route may meet a bug (500) or a database that is away (503).
 */
function errorCodes({ spec, callers, hasPathParams, declared }: ErrorFacts): Map<number, string[]> {
  const byStatus = new Map<number, string[]>();
  const add = (code: ErrorCode, status = statusOf(code)) => {
    const codes = byStatus.get(status) ?? [];
    if (!codes.includes(code)) byStatus.set(status, [...codes, code]);
  };
  if (spec.body || spec.query || hasPathParams) add('invalid_request');
  if (!callers?.includes('anyone')) {
    add('unauthorized');
    add('token_expired');
    add('token_revoked');
    add('forbidden');
    // The guard tells an API key on a route only sessions may call that it is not a person.
    if (callers && !callers.includes('admin') && callers.some(isSessionType)) add('not_a_person');
  }
  if (hasPathParams) add('not_found');
  if (spec.body) {
    add('payload_too_large');
    add('invalid_request', 415);
  }
  for (const error of declared) {
    if (typeof error === 'string') add(error);
    else add(error.code, error.status);
  }
  add('internal_error');
  add('service_unavailable');
  return new Map([...byStatus].sort(([a], [b]) => a - b));
}

/**
 * Under /warrant, `invalid_request` is one of Warrant's codes (a 415 names no missing field), and a
 * duplicate is Warrant's 400, not 409.
 */
function warrantErrorCodes(byStatus: Map<number, string[]>): Map<number, string[]> {
  const result = new Map<number, string[]>();
  const add = (status: number, code: string) => {
    const codes = result.get(status) ?? [];
    if (!codes.includes(code)) result.set(status, [...codes, code]);
  };
  for (const [status, codes] of byStatus) {
    for (const code of codes) {
      if (code === 'duplicate_record') add(400, code);
      else if (code !== 'invalid_request') add(status, code);
      else for (const c of status === 400 ? WARRANT_INVALID_REQUEST_CODES : ['invalid_parameter']) add(status, c);
    }
  }
  return new Map([...result].sort(([a], [b]) => a - b));
}

const RETRY_AFTER = {
  'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer' } },
};

function errorResponse(status: number, codes: string[], errorSchema: string): Json {
  return {
    description: `${STATUS_CODES[status] ?? 'Error'}: ${codes.map((c) => `\`${c}\``).join(', ')}`,
    ...(status === 429 || status === 503 ? { headers: RETRY_AFTER } : {}),
    content: { 'application/json': { schema: { $ref: `#/components/schemas/${errorSchema}` } } },
    'x-error-codes': codes,
  };
}

const errorSchema = (codes: readonly string[]): Json => ({
  type: 'object',
  required: ['code', 'message'],
  properties: {
    code: { type: 'string', enum: [...codes] },
    message: { type: 'string', description: 'For people; never a stack trace' },
    details: { type: 'object', description: 'What the code is about, e.g. `fields` for a bad request' },
  },
});

const warrantErrorSchema = (codes: readonly string[]): Json => {
  const base = errorSchema(codes);
  return {
    ...base,
    properties: {
      ...(base.properties as Json),
      parameter: { type: 'string', description: 'The bad or missing field of a bad request' },
      type: { type: 'string', description: 'A duplicate record: its type (`Tenant`, `User`, `Role`, …)' },
      key: { type: 'string', description: 'A duplicate record: its id' },
    },
  };
};

/** The OpenAPI 3.1 document, generated from the routes' @Contract and @Auth metadata. */
export function buildOpenApi(version: string, routes: readonly ContractRoute[]): Json {
  const paths: Record<string, Json> = {};
  /** The error bodies of routes with their own shape (ContractSpec.errorShape), by component name. */
  const shapes: Record<string, Json> = {};
  for (const { controller, method, verb: upperVerb, url } of routes) {
    const handler = (controller as { prototype: Record<string | symbol, unknown> }).prototype[method] as object;
    const spec = Reflect.getMetadata(CONTRACT_KEY, handler) as ContractSpec;
    const callers = (Reflect.getMetadata(AUTH_KEY, handler) ?? Reflect.getMetadata(AUTH_KEY, controller)) as
      Caller[] | undefined;
    const verb = upperVerb.toLowerCase();
    const path = url.replace(/:([A-Za-z]+)/g, '{$1}');
    const pathParams = [...path.matchAll(/\{([A-Za-z]+)\}/g)].map((m) => m[1]!);
    const status = String(spec.status ?? (verb === 'post' ? 201 : 200));
    const warrant = url.startsWith(WARRANT_PREFIX);
    const errors: Json = {};
    const declared = (Reflect.getMetadata(ERRORS_KEY, handler) ?? []) as ContractError[];
    const byStatus = errorCodes({ spec, callers, hasPathParams: pathParams.length > 0, declared });
    for (const [errorStatus, codes] of warrant ? warrantErrorCodes(byStatus) : byStatus) {
      if (spec.errorShape) {
        // The body is the route's own; the codes still say which of API.md's causes lead to it.
        shapes[spec.errorShape.name] = spec.errorShape.schema;
        errors[errorStatus] = errorResponse(errorStatus, codes, spec.errorShape.name);
      } else {
        errors[errorStatus] = errorResponse(errorStatus, codes, warrant ? 'WarrantError' : 'Error');
      }
    }
    const op: Json = {
      summary: spec.summary,
      operationId: `${(controller as { name: string }).name.replace(/Controller$/, '')}_${String(method)}`,
      tags: [(controller as { name: string }).name.replace(/Controller$/, '')],
      'x-callers': callers ?? [],
      security: security(callers),
      parameters: [
        ...pathParams.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
        ...(spec.query
          ? Object.entries((schema(spec.query, 'input').properties ?? {}) as Record<string, Json>).map(([name, s]) => ({
              name,
              in: 'query',
              required: false,
              schema: s,
            }))
          : []),
      ],
      responses: {
        [status]: spec.response
          ? { description: 'Success', content: { 'application/json': { schema: schema(spec.response, 'output') } } }
          : { description: 'Success, no body' },
        ...Object.fromEntries(
          (spec.alternatives ?? []).map((alt) => [
            String(alt.status),
            {
              description: alt.description,
              content: { 'application/json': { schema: schema(alt.response, 'output') } },
            },
          ]),
        ),
        ...errors,
      },
    };
    if (spec.body) {
      op.requestBody = {
        required: verb !== 'post' || !spec.body.safeParse({}).success,
        content: { 'application/json': { schema: schema(spec.body, 'input') } },
      };
    }
    paths[path] = { ...(paths[path] ?? {}), [verb]: op };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Tessera',
      version,
      description: 'Sessions, impersonation, client sessions, tenants, roles and permissions.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    // Relative: the document is served by the API it describes, at whatever address that listens on.
    servers: [{ url: '/' }],
    paths,
    components: {
      securitySchemes: {
        session: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A session token' },
        apiKey: {
          type: 'apiKey',
          in: 'header',
          name: 'Authorization',
          description: '`ApiKey tsk_...` (or `Bearer tsk_...`)',
        },
      },
      schemas: {
        Error: errorSchema(ERROR_CODES),
        // Warrant's error body: its names for a bad request (which its SDK turns into error classes)
        // with the `parameter`, a duplicate's `type` and `key`; other errors as Tessera's.
        WarrantError: warrantErrorSchema([
          ...WARRANT_INVALID_REQUEST_CODES,
          ...ERROR_CODES.filter((c) => c !== 'invalid_request'),
        ]),
        ...shapes,
      },
    },
  };
}
