import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorBody, ErrorCode } from '@tessera/dto';
import { ApiError } from './api-error.js';

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

const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08003', '08006']);

/** Errors that mean "the database (or Redis) is away right now", answered 503, not 500. */
export function isUnavailable(error: unknown): boolean {
  const e = error as { code?: string; message?: string; driverError?: { code?: string; message?: string } };
  const code = e.driverError?.code ?? e.code;
  const message = `${e.message ?? ''} ${e.driverError?.message ?? ''}`;
  return (
    (code !== undefined && UNAVAILABLE_CODES.has(code)) ||
    /Connection terminated|timeout exceeded when trying to connect|Query read timeout|connect ECONNREFUSED|is not queryable/i.test(message)
  );
}

export interface ErrorResponse {
  status: number;
  body: ErrorBody;
  headers?: Record<string, string>;
}

const logger = new Logger('Errors');

/** The one place that turns any error into API.md's `{code, message, details?}` body. */
export function toErrorResponse(error: unknown, request: FastifyRequest): ErrorResponse {
  if (error instanceof ApiError) {
    const body: ErrorBody = { code: error.code, message: error.message };
    if (error.details) body.details = error.details;
    return { status: error.status, body, headers: error.headers };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    if (status === 404) {
      return { status, body: { code: 'not_found', message: 'No such route', details: { type: 'route', id: request.url.split('?')[0] } } };
    }
    if (status === 415) return { status, body: { code: 'invalid_request', message: 'Content-Type must be application/json' } };
    const code = CODE_BY_STATUS[status];
    if (code) return { status, body: { code, message: error.message } };
  }
  // Fastify's own errors (body parsing, size, media type) carry a 4xx statusCode and an FST_ code.
  const fst = error as { statusCode?: number; code?: string; message?: string };
  if (typeof fst.statusCode === 'number' && fst.statusCode >= 400 && fst.statusCode < 500) {
    if (fst.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || fst.statusCode === 413) {
      return { status: 413, body: { code: 'payload_too_large', message: 'Request body is too large' } };
    }
    if (fst.statusCode === 415 || fst.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return { status: 415, body: { code: 'invalid_request', message: 'Content-Type must be application/json' } };
    }
    const code = CODE_BY_STATUS[fst.statusCode] ?? 'invalid_request';
    const status = code === 'invalid_request' ? 400 : fst.statusCode;
    return { status, body: { code, message: code === 'invalid_request' ? 'Malformed request body' : (fst.message ?? code) } };
  }
  if (isUnavailable(error)) {
    logger.warn(`request ${request.id}: a backing service is unavailable (${(error as Error).message})`);
    return { status: 503, body: { code: 'service_unavailable', message: 'Service temporarily unavailable' }, headers: { 'retry-after': '1' } };
  }
  logger.error(`request ${request.id}: ${(error as Error)?.stack ?? String(error)}`);
  return { status: 500, body: { code: 'internal_error', message: `Internal error (request ${request.id})` } };
}

export function sendError(reply: FastifyReply, response: ErrorResponse): void {
  if (response.headers) void reply.headers(response.headers);
  void reply.status(response.status).type('application/json; charset=utf-8').send(response.body);
}

@Catch()
export class ErrorFilter implements ExceptionFilter {
  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendError(http.getResponse<FastifyReply>(), toErrorResponse(error, http.getRequest<FastifyRequest>()));
  }
}
