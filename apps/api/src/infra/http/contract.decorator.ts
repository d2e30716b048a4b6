import { HttpCode, SetMetadata, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { ID_PATTERN, Uuid, type ErrorCode } from '@tessera/dto';
import { ApiError } from './api-error.js';

/** An error code a route answers, with its status when that is not API.md's usual one for the code. */
export type ContractError = ErrorCode | { code: ErrorCode; status: number };

/** An error as answered: API.md's body, or a route's own shape of it. */
export interface ShapedError {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/**
 * A route whose callers expect another error body (Contember's /tenant): every error of the route,
 * also one raised before its handler runs (body size, media type, malformed JSON), is answered by
 * `render` from API.md's; the OpenAPI document describes it as the component `name`.
 */
export interface ErrorShape {
  name: string;
  schema: Record<string, unknown>;
  render(error: ShapedError & { body: { code: ErrorCode; message: string } }): ShapedError;
}

/** A route's request and response shapes: they validate the request and make the OpenAPI document. */
export interface ContractSpec {
  summary: string;
  body?: z.ZodType;
  query?: z.ZodType;
  response?: z.ZodType;
  /** Success status when it is not Nest's default (201 for POST, 200 otherwise). */
  status?: number;
  /** Other successful answers, with their own status (the handler sets it) and shape. */
  alternatives?: { status: number; response: z.ZodType; description: string }[];
  /** The route's own error body, when it is not API.md's. */
  errorShape?: ErrorShape;
}

export const CONTRACT_KEY = 'tessera:contract';
export const ERRORS_KEY = 'tessera:errors';

/** The handler of a route with a contract. */
export interface ContractHandler {
  controller: object;
  method: string | symbol;
}

/**
 * Where a contract route's Fastify config names its handler: the OpenAPI document is made from the
 * routes Fastify registers (their method and full path), each with its handler's metadata.
 */
export const CONTRACT_HANDLER = 'tesseraContractHandler';
/** Where a contract route's Fastify config keeps its ErrorShape, for errors raised before Nest routes it. */
export const ERROR_SHAPE = 'tesseraErrorShape';

declare module 'fastify' {
  interface FastifyContextConfig {
    tesseraErrorShape?: ErrorShape;
  }
}

export function Contract(spec: ContractSpec): MethodDecorator {
  return (target, key, descriptor) => {
    SetMetadata(CONTRACT_KEY, spec)(target, key, descriptor);
    if (spec.status !== undefined) HttpCode(spec.status)(target, key, descriptor);
    const handler: ContractHandler = { controller: target.constructor, method: key };
    const config = spec.errorShape
      ? { [CONTRACT_HANDLER]: handler, [ERROR_SHAPE]: spec.errorShape }
      : { [CONTRACT_HANDLER]: handler };
    RouteConfig(config)(target, key, descriptor);
  };
}

/**
 * Errors a route's own rules answer, for the OpenAPI document. Those its @Auth, body, query and path
 * parameters imply (400, 401, 403, 404, 413, 415, 500, 503) are derived there: list only the rest.
 */
export const Errors = (...errors: [ContractError, ...ContractError[]]) => SetMetadata(ERRORS_KEY, errors);

export function invalidRequest(error: z.ZodError): ApiError {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) fields[[...path, key].join('.')] ??= 'unknown field';
    } else {
      fields[path.join('.') || '(body)'] ??= issue.message;
    }
  }
  return new ApiError('invalid_request', 'The request is not valid', { fields });
}

function parseWith(ctx: ExecutionContext, part: 'body' | 'query'): unknown {
  const spec = Reflect.getMetadata(CONTRACT_KEY, ctx.getHandler()) as ContractSpec | undefined;
  const schema = spec?.[part];
  if (!schema) throw new Error(`@Valid${part} on a route whose @Contract has no ${part} schema`);
  const request = ctx.switchToHttp().getRequest<FastifyRequest>();
  // A POST without a body is the same as `{}`: every body field we accept here is optional then.
  const value = part === 'body' ? (request.body ?? {}) : request.query;
  const result = schema.safeParse(value);
  if (!result.success) throw invalidRequest(result.error);
  return result.data;
}

/** The request body, validated by the route's @Contract body schema (unknown fields are a 400). */
export const ValidBody = createParamDecorator((_: unknown, ctx: ExecutionContext) => parseWith(ctx, 'body'));

/** The query string, validated by the route's @Contract query schema. */
export const ValidQuery = createParamDecorator((_: unknown, ctx: ExecutionContext) => parseWith(ctx, 'query'));

function param(name: string, ctx: ExecutionContext): string {
  const value = ctx.switchToHttp().getRequest<FastifyRequest<{ Params: Record<string, string> }>>().params[name];
  if (value === undefined) throw new Error(`no route parameter ${name}`);
  return value;
}

/** A caller-chosen id from the path, checked against API.md's id pattern. */
export const IdParam = createParamDecorator((name: string, ctx: ExecutionContext) => {
  const value = param(name, ctx);
  if (!ID_PATTERN.test(value)) {
    throw new ApiError('invalid_request', 'The request is not valid', {
      fields: { [name]: 'must match ^[A-Za-z0-9._@|:-]{1,128}$' },
    });
  }
  return value;
});

/** A server-generated UUID from the path. */
export const UuidParam = createParamDecorator((name: string, ctx: ExecutionContext) => {
  const value = param(name, ctx);
  if (!Uuid.safeParse(value).success) {
    throw new ApiError('invalid_request', 'The request is not valid', { fields: { [name]: 'must be a UUID' } });
  }
  return value;
});
