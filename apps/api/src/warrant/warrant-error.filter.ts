import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendError, toErrorResponse } from '../infra/http/error.filter.js';

/**
 * Warrant's SDK turns an error body's `code` into an error class. Under /warrant the answers are
 * ours, except that a bad request says which kind Warrant's SDK knows: a missing field is
 * `missing_required_parameter`, any other bad value `invalid_parameter`.
 */
@Catch()
export class WarrantErrorFilter implements ExceptionFilter {
  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = toErrorResponse(error, http.getRequest<FastifyRequest>());
    if (response.body.code === 'invalid_request') {
      const fields = Object.values((response.body.details?.fields ?? {}) as Record<string, string>);
      const missing = fields.length > 0 && fields.every((m) => /received undefined|required/.test(m));
      (response.body as { code: string }).code = missing ? 'missing_required_parameter' : 'invalid_parameter';
    }
    sendError(http.getResponse<FastifyReply>(), response);
  }
}
