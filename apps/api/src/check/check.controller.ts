import { Controller, Post } from '@nestjs/common';
import { CheckRequest, CheckResponse } from '@tessera/dto';
import type { z } from 'zod';
import { ApiError } from '../infra/http/api-error.js';
import { Auth } from '../infra/http/auth.decorator.js';
import { Contract, ValidBody } from '../infra/http/contract.decorator.js';
import { CurrentPrincipal, type Principal } from '../auth/principal.js';
import { CheckService } from './check.service.js';

type ParsedCheck = z.output<typeof CheckRequest>;

@Controller('v1/check')
export class CheckController {
  constructor(private readonly checks: CheckService) {}

  /**
   * An admin (key, or a super admin's session) may ask about anyone. A session asks about its own
   * user: naming another is 403, never silently answered for the session's user instead.
   */
  @Post()
  @Auth('admin', 'user', 'impersonation', 'authorization')
  @Contract({ summary: 'May this user do these things?', body: CheckRequest, response: CheckResponse, status: 200 })
  async check(@ValidBody() body: ParsedCheck, @CurrentPrincipal() principal: Principal): Promise<CheckResponse> {
    const userId = this.subject(body.userId, principal);
    const held = await this.checks.check(userId, body.checks);
    // A tenant admin's impersonation holds nothing outside the admin's tenant (global grants
    // count inside it; asked without a tenant, the answer is false).
    const confinedTo =
      principal.kind === 'session' && principal.session.type === 'impersonation' ? principal.session.tenantId : null;
    const results = confinedTo === null ? held : held.map((h, i) => h && body.checks[i]!.tenantId === confinedTo);
    const authorized = body.op === 'anyOf' ? results.some(Boolean) : results.every(Boolean);
    return { authorized, results };
  }

  private subject(asked: string | undefined, principal: Principal): string {
    if (principal.kind === 'api_key') {
      if (asked === undefined) {
        throw new ApiError('invalid_request', 'The request is not valid', {
          fields: { userId: 'required with an API key' },
        });
      }
      return asked;
    }
    const { session, user } = principal;
    const isAdmin = session.type === 'user' && user.superAdmin;
    if (asked !== undefined && asked !== session.userId && !isAdmin) {
      throw new ApiError('forbidden', 'A session may only check its own user');
    }
    return asked ?? session.userId;
  }
}
