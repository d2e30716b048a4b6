import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { SESSION_TYPES, type SessionType } from '@tessera/dto';
import { ApiKeyService } from '../admin/api-key.service.js';
import { ImpersonationService } from '../admin/impersonation.service.js';
import { CONFIG, type Config } from '../config/config.js';
import { SessionService } from '../session/session.service.js';
import { ApiError } from './api-error.js';
import { AUTH_KEY, type Caller } from './auth.decorator.js';

type Credential = { kind: 'session'; token: string } | { kind: 'api_key'; secret: string };

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const MAX_CREDENTIAL_LENGTH = 4096;

/** `Bearer <jwt>` is a session; `ApiKey <key>` or a `Bearer` value that is not a JWT is an API key. */
export function parseAuthorization(header: string | undefined): Credential | null {
  if (header === undefined || header === '') return null;
  const match = /^(Bearer|ApiKey) +(\S+)$/i.exec(header);
  const value = match?.[2];
  if (!match || value === undefined || value.length > MAX_CREDENTIAL_LENGTH) {
    throw new ApiError('unauthorized', 'Malformed Authorization header');
  }
  if (match[1]!.toLowerCase() === 'bearer' && JWT_SHAPE.test(value)) return { kind: 'session', token: value };
  return { kind: 'api_key', secret: value };
}

const isSessionType = (c: Caller): c is SessionType => (SESSION_TYPES as readonly string[]).includes(c);

/** The one global guard: authenticates the caller and checks it against the route's @Auth. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: SessionService,
    private readonly apiKeys: ApiKeyService,
    private readonly impersonation: ImpersonationService,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const callers = this.reflector.getAllAndOverride<Caller[] | undefined>(AUTH_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    // Fail closed: a route that forgot to say who may call it answers nobody.
    if (!callers) throw new ApiError('forbidden', 'This route declares no access rule');
    if (callers.includes('anyone')) return true;
    if (callers.includes('sign-in') && !this.config.signInRequiresLoginKey) return true;

    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const credential = parseAuthorization(request.headers.authorization);
    if (!credential) throw new ApiError('unauthorized', 'Credentials required');

    if (credential.kind === 'api_key') {
      const apiKey = await this.apiKeys.authenticate(credential.secret);
      request.principal = { kind: 'api_key', apiKey };
      if (apiKey.role === 'admin' && (callers.includes('admin') || callers.includes('sign-in'))) return true;
      if (apiKey.role === 'login' && callers.includes('sign-in')) return true;
      if (!callers.includes('admin') && callers.some(isSessionType)) {
        throw new ApiError('not_a_person', 'An API key is not a person: this needs a session');
      }
      throw new ApiError('forbidden', 'This API key may not do this');
    }

    const { session, user } = await this.sessions.authenticate(credential.token);
    if (session.type === 'impersonation') await this.impersonation.confirm(session, user);
    request.principal = { kind: 'session', session, user };
    if (callers.includes(session.type)) return true;
    if (callers.includes('admin') && session.type === 'user' && user.superAdmin) return true;
    throw new ApiError('forbidden', `A ${session.type} session may not do this`);
  }
}
