import { existsSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Controller, Get, Header, Param, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../infra/http/api-error.js';
import { Public } from '../infra/http/auth.decorator.js';

/** apps/web/dist, from apps/api/src/web (tests) and apps/api/dist/web (built) alike. */
const WEB_DIST = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** The demo app only talks to this origin and is never framed. */
const PAGE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/** Paths that belong to the API (or its docs and assets): an unknown one is JSON 404 whoever asks. */
const API_PATHS = /^\/(v1|warrant|tenant|health|docs|assets)(\/|$)/;

/** The router's JSON 404, the same body the error filter answers for any unknown route. */
const noSuchRoute = () => new ApiError('not_found', 'No such route', { type: 'route' });

const notBuilt = () =>
  new ApiError('not_found', 'The web app is not built (npm run build)', { type: 'route', id: '/' });

/** Serves the demo web app (apps/web) at the API's own origin. */
@Controller()
export class WebController {
  private readonly files = new Map<string, Buffer>();

  private read(relative: string): Buffer | undefined {
    let file = this.files.get(relative);
    if (file === undefined) {
      const path = join(WEB_DIST, relative);
      if (!existsSync(path)) return undefined;
      file = readFileSync(path);
      this.files.set(relative, file);
    }
    return file;
  }

  @Get([
    '/',
    'sessions',
    'checks',
    'self-service',
    'account',
    'forgot-password',
    'reset-password',
    'verify-email',
    'sign-up',
    'console',
    'console/*',
  ])
  @Public()
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('content-security-policy', PAGE_CSP)
  @Header('referrer-policy', 'no-referrer')
  @Header('cache-control', 'no-store')
  page(): Buffer {
    const html = this.read('index.html');
    if (!html) throw notBuilt();
    return html;
  }

  /**
   * Any other GET of up to three segments: a browser opening an unknown page of the app gets the
   * app (which shows its not-found page) with status 404; anything else, and any path of the API,
   * the router's JSON 404. Parameters, not a wildcard: the router's limits still apply to them.
   */
  @Get([':first', ':first/:second', ':first/:second/:third'])
  @Public()
  notFound(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Buffer {
    const html = request.headers.accept?.includes('text/html') === true ? this.read('index.html') : undefined;
    if (html === undefined || API_PATHS.test(request.url)) throw noSuchRoute();
    void reply
      .status(404)
      .header('content-type', 'text/html; charset=utf-8')
      .header('content-security-policy', PAGE_CSP)
      .header('referrer-policy', 'no-referrer')
      .header('cache-control', 'no-store');
    return html;
  }

  @Get('favicon.svg')
  @Public()
  @Header('content-type', 'image/svg+xml')
  @Header('cache-control', 'public, max-age=86400')
  favicon(): Buffer {
    const icon = this.read('favicon.svg');
    if (!icon) throw notBuilt();
    return icon;
  }

  @Get('assets/:file')
  @Public()
  asset(@Param('file') file: string, @Res({ passthrough: true }) reply: FastifyReply): Buffer {
    // Built asset names only: no path separators, no dot-dot.
    // The 404 does not quote the name: it is the caller's input.
    if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(file))
      throw new ApiError('not_found', 'No such asset', { type: 'asset' });
    const content = this.read(join('assets', file));
    if (!content) throw new ApiError('not_found', 'No such asset', { type: 'asset' });
    void reply.header('content-type', TYPES[extname(file)] ?? 'application/octet-stream');
    void reply.header('cache-control', 'public, max-age=31536000, immutable');
    return content;
  }
}
