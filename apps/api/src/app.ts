import 'reflect-metadata';
import type { Duplex } from 'node:stream';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DynamicModule } from '@nestjs/common';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { sendError, toErrorResponse } from './infra/http/error.filter.js';
import type { Config } from './infra/config/config.js';
import { LOG_LEVELS } from './infra/logging/service-logger.js';
import { AppModule } from './app.module.js';

/** How long a shutdown waits for answers still being sent before it ends their connections. */
const SHUTDOWN_GRACE_MS = 10_000;

const SECURITY_HEADERS: [string, string][] = [
  ['x-content-type-options', 'nosniff'],
  ['x-frame-options', 'DENY'],
  ['referrer-policy', 'no-referrer'],
  ['cross-origin-opener-policy', 'same-origin'],
  ['strict-transport-security', 'max-age=31536000; includeSubDomains'],
  // JSON answers load nothing and are framed by nobody.
  ['content-security-policy', "default-src 'none'; frame-ancestors 'none'"],
];

/**
 * Requests Node's HTTP parser refuses before Fastify sees them (headers over 16 KB, malformed
 * request lines) still get API.md's error body.
 */
function clientErrorHandler(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const body = JSON.stringify({
    code: 'invalid_request',
    message: tooLarge ? 'Request headers are too large' : 'Malformed HTTP request',
  });
  const headers = SECURITY_HEADERS.map(([name, value]) => `${name}: ${value}\r\n`).join('');
  socket.end(
    `HTTP/1.1 ${tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request'}\r\n` +
      `content-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
      `${headers}cache-control: no-store\r\nconnection: close\r\n\r\n${body}`,
  );
}

/** The router's own refusals (a bad percent-escape, an over-long path parameter) skip the onSend hooks. */
function answerRouterError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  for (const [name, value] of SECURITY_HEADERS) void reply.header(name, value);
  void reply.header('cache-control', 'no-store');
  sendError(reply, toErrorResponse(error, request));
}

type TrustFunction = (address: string, hop: number) => boolean;

/**
 * Fastify takes addresses as they are; a hop count it would ignore (it trusts nothing for a number),
 * so the count is a trust function: the nearest `hops` addresses, the socket's peer first, are proxies.
 */
function fastifyTrustProxy(trust: Config['trustProxy']): false | string[] | TrustFunction {
  if (trust === false) return false;
  if ('hops' in trust) return (_address, hop) => hop < trust.hops;
  return trust.addresses;
}

/**
 * Builds the whole service for a config; main.ts and the tests both start it this way (a test may
 * wrap the root module to add a controller of its own).
 */
export async function createApp(
  config: Config,
  root: DynamicModule = AppModule.forRoot(config),
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.bodyLimit,
    trustProxy: fastifyTrustProxy(config.trustProxy),
    // Ids are up to 128 characters, and percent-encoding can triple them (`|` is %7C).
    routerOptions: { maxParamLength: 512 },
    // The router refuses a bad percent-escape or an over-long path parameter before Nest sees the request.
    frameworkErrors: answerRouterError,
    // Reject, rather than wait for, clients that send a request too slowly.
    requestTimeout: 30_000,
    clientErrorHandler,
  });
  const app = await NestFactory.create<NestFastifyApplication>(root, adapter, {
    logger: LOG_LEVELS[config.logLevel],
    abortOnError: false,
    // The JSON parser is ours (below); Fastify's bodyLimit still applies to it.
    bodyParser: false,
  });
  // An empty body with `Content-Type: application/json` (what many SDKs send on every PUT and
  // DELETE) is no body, not a 400. Anything else goes through Fastify's own parser, which refuses
  // __proto__ and constructor keys.
  const fastify = app.getHttpAdapter().getInstance();
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') done(null, undefined);
    else void parseJson(request, body as string, done);
  });
  // Security headers on every answer; a page that needs its own CSP (web app, docs) sets it first.
  fastify.addHook('onSend', (request, reply, payload, done) => {
    for (const [name, value] of SECURITY_HEADERS) if (!reply.hasHeader(name)) void reply.header(name, value);
    if (!reply.hasHeader('cache-control') && request.url.startsWith('/v1/'))
      void reply.header('cache-control', 'no-store');
    done(null, payload);
  });
  // Node's server.close() ends the keep-alive connections idle at that moment; one still answering
  // a request keeps its socket after the answer, for the whole keep-alive timeout (72 s), and holds
  // the shutdown that long. While closing, end each connection as soon as its answer is done; a
  // client that stops reading an answer would hold it for ever, so after a grace period every
  // connection still open is ended.
  fastify.addHook('preClose', (done) => {
    const server = fastify.server;
    const sweep = setInterval(() => server.closeIdleConnections(), 50).unref();
    const deadline = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS).unref();
    server.once('close', () => {
      clearInterval(sweep);
      clearTimeout(deadline);
    });
    done();
  });
  if (config.corsOrigins.length > 0) {
    // Browser apps call /v1/check with an authorization session straight from their own origin.
    app.enableCors({
      origin: config.corsOrigins,
      methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      // Contember's login form sends x-contember-token-path (to /tenant); Tessera reads nothing from it.
      allowedHeaders: ['authorization', 'content-type', 'x-contember-token-path'],
      credentials: false,
      maxAge: 600,
    });
  }
  app.enableShutdownHooks();
  try {
    await app.init();
  } catch (error) {
    // A service that cannot start leaves no database connection behind.
    await app.close();
    throw error;
  }
  return app;
}
