import { HttpException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { isUnavailable, toErrorResponse } from './error.filter.js';

describe('isUnavailable: what is answered 503 rather than 500', () => {
  it('counts the errors pg gives when PostgreSQL is away', () => {
    for (const message of [
      'Connection terminated unexpectedly',
      'timeout exceeded when trying to connect',
      'Query read timeout',
      'connect ECONNREFUSED 127.0.0.1:5432',
      'Client has encountered a connection error and is not queryable',
    ]) {
      expect(isUnavailable(new Error(message))).toBe(true);
    }
    expect(
      isUnavailable(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })),
    ).toBe(true);
  });

  it('leaves other errors alone', () => {
    expect(isUnavailable(new Error('syntax error at or near "SELEC"'))).toBe(false);
    expect(isUnavailable(Object.assign(new Error('duplicate key value'), { code: '23505' }))).toBe(false);
  });
});

describe("toErrorResponse: Fastify's own errors", () => {
  const request = { id: 'req-1', url: '/v1/x' } as FastifyRequest;
  const fastifyError = (code: string, statusCode: number, message: string) =>
    Object.assign(new Error(message), { code, statusCode });

  it('never passes on a message that quotes what the client sent, raised directly or wrapped by Nest', () => {
    const quoting = fastifyError('FST_ERR_INVALID_URL', 400, "URL must be a string. Received '<secret input>'");
    for (const error of [quoting, new HttpException(quoting.message, 400, { cause: quoting })]) {
      const answer = toErrorResponse(error, request);
      expect(answer).toEqual({ status: 400, body: { code: 'invalid_request', message: 'Malformed request' } });
    }
  });

  it('keeps the messages known to quote nothing', () => {
    const message = "Body is not valid JSON but content-type is set to 'application/json'";
    const json = fastifyError('FST_ERR_CTP_INVALID_JSON_BODY', 400, message);
    expect(toErrorResponse(new HttpException(message, 400, { cause: json }), request).body.message).toBe(message);
  });
});
