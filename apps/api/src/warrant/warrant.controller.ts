import { Controller, Delete, Get, HttpCode, Post, UseFilters } from '@nestjs/common';
import type { z } from 'zod';
import { ApiError } from '../infra/http/api-error.js';
import { Auth } from '../infra/http/auth.decorator.js';
import { Contract, Errors, ValidBody, ValidQuery } from '../infra/http/contract.decorator.js';
import { CurrentActor, CurrentPrincipal, type Actor, type Principal } from '../auth/principal.js';
import { ClientSessionService } from '../client-sessions/client-session.service.js';
import {
  AuthorizeInput,
  AuthorizeResult,
  WarrantInput,
  WarrantQueryInput,
  WarrantSessionInput,
} from './warrant.dto.js';
import { parseClause, type WarrantView } from './warrant-query.js';
import { WarrantErrorFilter } from './warrant-error.filter.js';
import { WarrantService } from './warrant.service.js';

/** Warrant's warrants, check and sessions, over Tessera's grants, check and client sessions. */
@Controller('warrant')
@UseFilters(WarrantErrorFilter)
export class WarrantController {
  constructor(
    private readonly warrants: WarrantService,
    private readonly clientSessions: ClientSessionService,
  ) {}

  @Post('v1/warrants')
  @Auth('admin')
  @Contract({ summary: 'Warrant: create a warrant (a membership or a grant)', body: WarrantInput, status: 200 })
  @Errors('not_found')
  async create(@ValidBody() body: WarrantInput, @CurrentActor() actor: Actor): Promise<WarrantInput> {
    await this.warrants.create(body, actor);
    return body;
  }

  @Delete('v1/warrants')
  @HttpCode(200)
  @Auth('admin')
  @Contract({ summary: 'Warrant: delete a warrant', body: WarrantInput, status: 200 })
  @Errors('not_found')
  async remove(@ValidBody() body: WarrantInput, @CurrentActor() actor: Actor): Promise<void> {
    await this.warrants.delete(body, actor);
  }

  /** Warrant's `Warrant.queryWarrants`: `select=warrants` with `for`/`where` clauses, page and limit. */
  @Get('v1/query')
  @Auth('admin')
  @Contract({ summary: 'Warrant: query warrants of an object or a subject', query: WarrantQueryInput })
  async query(@ValidQuery() q: z.infer<typeof WarrantQueryInput>): Promise<WarrantView[]> {
    if (!/^(explicit )?warrants$/.test(q.select))
      throw new ApiError('invalid_request', 'Only select=warrants is supported', { fields: { select: 'warrants' } });
    const found = await this.warrants.query(parseClause(q.for), parseClause(q.where));
    return found.slice((q.page - 1) * q.limit, q.page * q.limit);
  }

  /**
   * Warrant's check: HTTP 200 with `{code: 200}` when authorized and `{code: 403}` when not (the SDK
   * reads `code`). An admin key may ask about anyone; an authorization session about its own user.
   * With `debug`, an authorized answer says through which stored warrants (`decisionPath`).
   */
  @Post('v2/authorize')
  @HttpCode(200)
  @Auth('admin', 'authorization')
  @Contract({ summary: 'Warrant: authorize (check)', body: AuthorizeInput, response: AuthorizeResult, status: 200 })
  async authorize(@ValidBody() body: AuthorizeInput, @CurrentPrincipal() principal: Principal) {
    const { authorized, decisionPath } = await this.warrants.authorize(body, principal);
    const answer = authorized
      ? ({ code: 200, result: 'Authorized' } as const)
      : ({ code: 403, result: 'Not Authorized' } as const);
    return decisionPath === undefined ? answer : { ...answer, decisionPath };
  }

  @Post('v1/sessions')
  @Auth('admin')
  @Contract({
    summary: 'Warrant: mint an authorization (sess) or self-service (ssdash) session',
    body: WarrantSessionInput,
    status: 200,
  })
  @Errors('not_found', 'user_disabled', 'missing_permission')
  sessions(@ValidBody() body: z.infer<typeof WarrantSessionInput>, @CurrentActor() actor: Actor) {
    const { context: _context, selfServiceStrategy: _strategy, ...rest } = body;
    if (rest.type === 'ssdash') {
      if (rest.tenantId === undefined)
        throw new ApiError('invalid_request', 'tenantId is required', { fields: { tenantId: 'required' } });
      return this.clientSessions.create({ ...rest, type: 'ssdash', tenantId: rest.tenantId }, actor);
    }
    return this.clientSessions.create({ type: 'sess', userId: rest.userId, ttl: rest.ttl }, actor);
  }
}
