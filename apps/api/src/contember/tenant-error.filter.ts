import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorShape } from '../infra/http/contract.decorator.js';
import { sendError, toErrorResponse } from '../infra/http/error.filter.js';

/**
 * Contember's transport errors: `{"errors":[{"code":401,"message":"Authentication required"}]}`,
 * JSON on every status (its client parses the body before it looks at the status). A bad token is
 * "Authorization failure: <Tessera's code>"; anything else keeps Tessera's message.
 */
export const CONTEMBER_ERROR: ErrorShape = {
  name: 'ContemberError',
  schema: {
    type: 'object',
    required: ['errors'],
    properties: {
      errors: {
        type: 'array',
        items: {
          type: 'object',
          required: ['message'],
          properties: {
            code: { type: 'integer', description: 'The HTTP status' },
            message: {
              type: 'string',
              description: "For people; a refused token says `Authorization failure: <code>` with Tessera's code",
            },
          },
        },
      },
    },
  },
  render({ status, body, headers }) {
    let message = body.message;
    if (status === 401) {
      message =
        body.message === 'Credentials required' ? 'Authentication required' : `Authorization failure: ${body.code}`;
    } else if (status >= 500 && status !== 503) {
      message = 'Internal server error';
    }
    return { status, headers, body: { errors: [{ code: status, message }] } };
  },
};

/** Every error of /tenant's own pipeline (guard, handler) in Contember's shape. */
@Catch()
export class TenantErrorFilter implements ExceptionFilter {
  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = toErrorResponse(error, http.getRequest<FastifyRequest>());
    sendError(http.getResponse<FastifyReply>(), CONTEMBER_ERROR.render(response));
  }
}
