import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Controller, Get, Header } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { createRequire } from 'node:module';
import { Public } from '../http/auth.decorator.js';
import { CONTRACT_HANDLER, type ContractHandler } from '../http/contract.decorator.js';
import { buildOpenApi, type ContractRoute } from './openapi.js';

// Only the folder of swagger-ui-dist: its main entry would evaluate the whole 1 MB UI bundle at start.
const assets = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const read = (file: string) => readFileSync(join(assets, file));

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tessera API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script><script src="/docs/init.js"></script></body></html>`;

const INIT = `window.ui = SwaggerUIBundle({ url: '/docs/openapi.json', dom_id: '#swagger-ui' });`;

/** Swagger UI and the OpenAPI document; not in the document itself. */
const DOCS_CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'";

@Controller('docs')
export class DocsController {
  private document: object | undefined;
  private readonly routes: ContractRoute[] = [];

  /** Made before Nest registers the routes: Fastify's onRoute hook then sees every one of them. */
  constructor(http: HttpAdapterHost) {
    http.httpAdapter.getInstance<FastifyInstance>().addHook('onRoute', (route) => {
      const handler = (route.config as Record<string, ContractHandler | undefined> | undefined)?.[CONTRACT_HANDLER];
      // Fastify adds a HEAD route beside each GET, with the same config.
      if (handler === undefined || route.method === 'HEAD') return;
      for (const verb of [route.method].flat()) this.routes.push({ ...handler, verb, url: route.url });
    });
  }

  @Get()
  @Public()
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('content-security-policy', DOCS_CSP)
  page(): string {
    return PAGE;
  }

  @Get('openapi.json')
  @Public()
  openapi(): object {
    this.document ??= buildOpenApi('0.1.0', this.routes);
    return this.document;
  }

  @Get('init.js')
  @Public()
  @Header('content-type', 'text/javascript; charset=utf-8')
  init(): string {
    return INIT;
  }

  @Get('swagger-ui.css')
  @Public()
  @Header('content-type', 'text/css; charset=utf-8')
  @Header('cache-control', 'public, max-age=86400')
  css(): Buffer {
    return read('swagger-ui.css');
  }

  @Get('swagger-ui-bundle.js')
  @Public()
  @Header('content-type', 'text/javascript; charset=utf-8')
  @Header('cache-control', 'public, max-age=86400')
  bundle(): Buffer {
    return read('swagger-ui-bundle.js');
  }
}
