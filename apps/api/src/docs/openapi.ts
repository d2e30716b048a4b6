import { z } from 'zod';
import { ERROR_CODES } from '@tessera/dto';
import { AUTH_KEY, type Caller } from '../auth/auth.decorator.js';
import { CONTRACT_KEY, type ContractHandler, type ContractSpec } from '../common/contract.decorator.js';

type Json = Record<string, unknown>;

/** A route with a contract as Fastify registered it: its method, its full path, its handler. */
export interface ContractRoute extends ContractHandler {
  verb: string;
  url: string;
}

const schema = (s: z.ZodType, io: 'input' | 'output'): Json => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Json;
  return rest;
};

function security(callers: Caller[] | undefined): Json[] {
  if (!callers || callers.includes('anyone')) return [];
  if (callers.includes('sign-in')) return [{}, { apiKey: [] }];
  const allowsSession = callers.some((c) => c !== 'admin');
  const list: Json[] = [];
  if (allowsSession || callers.includes('admin')) list.push({ session: [] });
  if (callers.includes('admin')) list.push({ apiKey: [] });
  return list;
}

/** The OpenAPI 3.1 document, generated from the routes' @Contract and @Auth metadata. */
export function buildOpenApi(version: string, routes: readonly ContractRoute[]): Json {
  const paths: Record<string, Json> = {};
  for (const { controller, method, verb: upperVerb, url } of routes) {
    const handler = (controller as { prototype: Record<string | symbol, unknown> }).prototype[method] as object;
    const spec = Reflect.getMetadata(CONTRACT_KEY, handler) as ContractSpec;
    const callers = (Reflect.getMetadata(AUTH_KEY, handler) ?? Reflect.getMetadata(AUTH_KEY, controller)) as
      | Caller[]
      | undefined;
    const verb = upperVerb.toLowerCase();
    const path = url.replace(/:([A-Za-z]+)/g, '{$1}');
    const status = String(spec.status ?? (verb === 'post' ? 201 : 200));
    const op: Json = {
      summary: spec.summary,
      operationId: `${(controller as { name: string }).name.replace(/Controller$/, '')}_${String(method)}`,
      tags: [(controller as { name: string }).name.replace(/Controller$/, '')],
      'x-callers': callers ?? [],
      security: security(callers),
      parameters: [
        ...[...path.matchAll(/\{([A-Za-z]+)\}/g)].map((m) => ({
          name: m[1],
          in: 'path',
          required: true,
          schema: { type: 'string' },
        })),
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
        default: { description: 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      },
    };
    if (spec.body) {
      op.requestBody = { required: verb !== 'post' || !spec.body.safeParse({}).success, content: { 'application/json': { schema: schema(spec.body, 'input') } } };
    }
    paths[path] = { ...(paths[path] ?? {}), [verb]: op };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Tessera', version, description: 'Sessions, impersonation, client sessions, tenants, roles and permissions.' },
    paths,
    components: {
      securitySchemes: {
        session: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A session token' },
        apiKey: { type: 'apiKey', in: 'header', name: 'Authorization', description: '`ApiKey tsk_...` (or `Bearer tsk_...`)' },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['code', 'message'],
          properties: { code: { type: 'string', enum: [...ERROR_CODES] }, message: { type: 'string' }, details: { type: 'object' } },
        },
      },
    },
  };
}
