import { STATUS_CODES } from 'node:http';
import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorBody, ErrorCode } from '@tessera/dto';
import { ApiError } from './api-error.js';
import { ERROR_SHAPE, type ErrorShape, type ShapedError } from './contract.decorator.js';

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: 'invalid_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'not_found',
  409: 'duplicate_record',
  413: 'payload_too_large',
  415: 'invalid_request',
  429: 'too_many_requests',
  503: 'service_unavailable',
};

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08003',
  '08006',
]);

/** Errors that mean "the database (or Redis) is away right now", answered 503, not 500. */
export function isUnavailable(error: unknown): boolean {
  const e = error as { code?: string; message?: string; driverError?: { code?: string; message?: string } };
  const code = e.driverError?.code ?? e.code;
  const message = `${e.message ?? ''} ${e.driverError?.message ?? ''}`;
  return (
    (code !== undefined && UNAVAILABLE_CODES.has(code)) ||
    /Connection terminated|timeout exceeded when trying to connect|Query read timeout|connect ECONNREFUSED|is not queryable/i.test(
      message,
    )
  );
}

export interface ErrorResponse {
  status: number;
  body: ErrorBody;
  headers?: Record<string, string>;
}

const logger = new Logger('Errors');

/** Fastify's messages that quote neither the path nor the input; any other is replaced by ours. */
const PLAIN_FASTIFY_MESSAGES = new Set([
  'FST_ERR_CTP_INVALID_JSON_BODY',
  'FST_ERR_CTP_EMPTY_JSON_BODY',
  'FST_ERR_CTP_INVALID_CONTENT_LENGTH',
]);

function answer(status: number, code: ErrorCode, message: string): ErrorResponse {
  return { status, body: { code, message } };
}

/**
 * Errors Fastify raises itself (the router, body parsing, size, media type), as they come from the
 * router or wrapped by Nest in an HttpException: a 4xx `statusCode`, usually an `FST_ERR_*` code.
 */
function fastifyErrorResponse(error: unknown): ErrorResponse | undefined {
  const cause = error instanceof HttpException && error.cause !== undefined ? error.cause : error;
  const { statusCode: status, code, message } = cause as { statusCode?: unknown; code?: unknown; message?: unknown };
  if (typeof status !== 'number' || status < 400 || status >= 500) return undefined;
  if (status === 413) return answer(413, 'payload_too_large', 'Request body is too large');
  if (status === 415) return answer(415, 'invalid_request', 'Content-Type must be application/json');
  if (code === 'FST_ERR_BAD_URL') return answer(400, 'invalid_request', 'The path is not valid percent-encoded UTF-8');
  if (code === 'FST_ERR_MAX_PARAM_LENGTH') return answer(400, 'invalid_request', 'A path parameter is too long');
  const apiCode = CODE_BY_STATUS[status] ?? 'invalid_request';
  if (apiCode !== 'invalid_request') return answer(status, apiCode, STATUS_CODES[status] ?? apiCode);
  const plain = typeof code === 'string' && PLAIN_FASTIFY_MESSAGES.has(code) && typeof message === 'string';
  return answer(400, 'invalid_request', plain ? message : 'Malformed request');
}

/** The one place that turns any error into API.md's `{code, message, details?}` body. */
export function toErrorResponse(error: unknown, request: FastifyRequest): ErrorResponse {
  if (error instanceof ApiError) {
    const body: ErrorBody = { code: error.code, message: error.message };
    if (error.details) body.details = error.details;
    return { status: error.status, body, headers: error.headers };
  }
  const fastify = fastifyErrorResponse(error);
  if (fastify) return fastify;
  if (error instanceof HttpException) {
    const status = error.getStatus();
    // Without the path: an answer quotes nothing the client sent.
    if (status === 404) {
      return { status, body: { code: 'not_found', message: 'No such route', details: { type: 'route' } } };
    }
    if (status === 415)
      return { status, body: { code: 'invalid_request', message: 'Content-Type must be application/json' } };
    const code = CODE_BY_STATUS[status];
    if (code) return { status, body: { code, message: error.message } };
  }
  if (isUnavailable(error)) {
    logger.warn(`request ${request.id}: a backing service is unavailable (${(error as Error).message})`);
    return {
      status: 503,
      body: { code: 'service_unavailable', message: 'Service temporarily unavailable' },
      headers: { 'retry-after': '1' },
    };
  }
  logger.error(`request ${request.id}: ${(error as Error)?.stack ?? String(error)}`);
  return { status: 500, body: { code: 'internal_error', message: `Internal error (request ${request.id})` } };
}

export function sendError(reply: FastifyReply, response: ErrorResponse | ShapedError): void {
  if (response.headers) void reply.headers(response.headers);
  void reply.status(response.status).type('application/json; charset=utf-8').send(response.body);
}

/** The error shape of the route a request reached, if it has its own (read only when answering an error). */
function routeErrorShape(request: FastifyRequest): ErrorShape | undefined {
  // Before routing (an unknown path, a bad percent-escape) there are no route options.
  return request.routeOptions?.config?.[ERROR_SHAPE];
}

@Catch()
export class ErrorFilter implements ExceptionFilter {
  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const response = toErrorResponse(error, request);
    // Errors Fastify raises before the route's own filter could see them (size, media type, JSON).
    const shape = routeErrorShape(request);
    sendError(http.getResponse<FastifyReply>(), shape ? shape.render(response) : response);
  }
}
