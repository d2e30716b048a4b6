import { Controller, Post } from '@nestjs/common';
import { ClientSessionResponse, CreateClientSessionRequest } from '@tessera/dto';
import { Auth } from '../infra/http/auth.decorator.js';
import { Contract, Errors, ValidBody } from '../infra/http/contract.decorator.js';
import { CurrentActor, type Actor } from '../auth/principal.js';
import { ClientSessionService } from './client-session.service.js';

/** Client sessions for browser and mobile apps, minted by a backend (Warrant's `POST /v1/sessions`). */
@Controller('v1/sessions')
export class ClientSessionController {
  constructor(private readonly clientSessions: ClientSessionService) {}

  @Post()
  @Auth('admin')
  @Contract({
    summary: 'Mint a client session: "sess" (authorization checks for one user) or "ssdash" (self-service dashboard)',
    body: CreateClientSessionRequest,
    response: ClientSessionResponse,
    status: 200,
  })
  @Errors('not_found', 'user_disabled', 'missing_permission')
  create(@ValidBody() body: CreateClientSessionRequest, @CurrentActor() actor: Actor): Promise<ClientSessionResponse> {
    return this.clientSessions.create(body, actor);
  }
}
