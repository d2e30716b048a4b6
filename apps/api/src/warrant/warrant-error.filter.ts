import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ID_PATTERN } from '@tessera/dto';
import { sendError, toErrorResponse } from '../infra/http/error.filter.js';
import { anyToWarrant } from './warrant-ids.js';

/** What Warrant says of an id it refuses (Tessera's pattern is the same set of characters). */
const ID_PROBLEM = `must match ${ID_PATTERN.source}`;
const WARRANT_ID_PROBLEM = "can only contain alphanumeric characters and/or '-', '_', '@', ':', and '|'";

/** Warrant's record type and noun for the id field a duplicate names. */
const RECORDS: Record<string, [string, string]> = {
  userId: ['User', 'user'],
  email: ['User', 'user'],
  tenantId: ['Tenant', 'tenant'],
  roleId: ['Role', 'role'],
  permissionId: ['Permission', 'permission'],
  pricingTierId: ['PricingTier', 'pricing tier'],
  featureId: ['Feature', 'feature'],
};

/**
 * Warrant's SDK turns an error body's `code` into an error class, and Warrant's clients read its
 * error fields. Under /warrant the answers are ours in Warrant's shapes:
 * - a bad request is `missing_required_parameter` (a missing field) or `invalid_parameter` (any
 *   other), with `parameter` naming the field and the field's problem as `message`;
 * - a duplicate is Warrant's 400 `duplicate_record` with the record's `type` and `key`;
 * - any other error keeps Tessera's body, with Warrant's ids in its details.
 */
@Catch()
export class WarrantErrorFilter implements ExceptionFilter {
  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = toErrorResponse(error, http.getRequest<FastifyRequest>());
    const { code, details } = response.body;
    if (code === 'invalid_request' && details?.fields) {
      const fields = Object.entries(details.fields as Record<string, string>);
      const missing = fields.length > 0 && fields.every(([, m]) => /received undefined|required/.test(m));
      const [parameter, problem] = fields[0] ?? [];
      response.body = {
        code: missing ? 'missing_required_parameter' : 'invalid_parameter',
        message: problem === ID_PROBLEM ? WARRANT_ID_PROBLEM : (problem ?? response.body.message),
        ...(parameter === undefined ? {} : { parameter }),
      } as never;
    } else if (code === 'invalid_request') {
      (response.body as { code: string }).code = 'invalid_parameter';
    } else if (code === 'duplicate_record' && details) {
      const field = String(details.field);
      const [type, noun] = RECORDS[field] ?? ['Record', 'record'];
      const key = anyToWarrant(String(details.value));
      response.status = 400;
      response.body = {
        code,
        message: `Duplicate ${type} ${key}, A ${noun} with the given ${field} already exists`,
        type,
        key,
      } as never;
    } else if (details && typeof details.id === 'string') {
      details.id = anyToWarrant(details.id);
    }
    sendError(http.getResponse<FastifyReply>(), response);
  }
}
