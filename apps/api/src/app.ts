import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { LogLevel } from '@nestjs/common';
import type { Config } from './config/config.js';
import { AppModule } from './app.module.js';

const LOG_LEVELS: Record<Config['logLevel'], LogLevel[] | false> = {
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
  info: ['fatal', 'error', 'warn', 'log'],
  warn: ['fatal', 'error', 'warn'],
  error: ['fatal', 'error'],
  silent: false,
};

/** Builds the whole service for a config; main.ts and the tests both start it this way. */
export async function createApp(config: Config): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy,
    // Ids are up to 128 characters, and percent-encoding can triple them (`|` is %7C).
    routerOptions: { maxParamLength: 512 },
    // Reject, rather than wait for, clients that send a request too slowly.
    requestTimeout: 30_000,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
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
  if (config.corsOrigins.length > 0) {
    // Browser apps call /v1/check with an authorization session straight from their own origin.
    app.enableCors({
      origin: config.corsOrigins,
      methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type'],
      credentials: false,
      maxAge: 600,
    });
  }
  app.enableShutdownHooks();
  await app.init();
  return app;
}
