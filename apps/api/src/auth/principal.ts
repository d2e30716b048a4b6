import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { ApiKeyEntity } from '../api-keys/api-key.entity.js';
import type { SessionEntity } from '../sessions/session.entity.js';
import type { UserEntity } from '../users/user.entity.js';

/** Who is calling: an API key, or a person through one of their sessions; `readAt`: when their rows were read. */
export type Principal =
  | { kind: 'api_key'; apiKey: ApiKeyEntity; readAt: number }
  | { kind: 'session'; session: SessionEntity; user: UserEntity; readAt: number };

export type SessionPrincipal = Extract<Principal, { kind: 'session' }>;

/** What is remembered about the client on its session and in the audit log. */
export interface RequestMeta {
  ip: string;
  userAgent: string | undefined;
}

/** Who did something, as the audit log records it. */
export interface Actor {
  userId: string | null;
  apiKeyId: string | null;
  sessionId: string | null;
  ip: string | null;
  userAgent: string | null;
}

export function actorOf(principal: Principal | undefined, meta: RequestMeta): Actor {
  const base = { ip: meta.ip, userAgent: meta.userAgent ?? null };
  if (principal?.kind === 'api_key') return { ...base, userId: null, apiKeyId: principal.apiKey.id, sessionId: null };
  if (principal?.kind === 'session')
    return { ...base, userId: principal.user.id, apiKeyId: null, sessionId: principal.session.id };
  return { ...base, userId: null, apiKeyId: null, sessionId: null };
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

export function requestMeta(request: FastifyRequest): RequestMeta {
  const agent = request.headers['user-agent'];
  return { ip: request.ip, userAgent: typeof agent === 'string' ? agent.slice(0, 512) : undefined };
}

/** The authenticated principal; the guard has already made sure it fits the route's @Auth. */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal | undefined => {
  return ctx.switchToHttp().getRequest<FastifyRequest>().principal;
});

/** The caller's session; only for routes whose @Auth admits sessions alone. */
export const CurrentSession = createParamDecorator((_: unknown, ctx: ExecutionContext): SessionPrincipal => {
  const principal = ctx.switchToHttp().getRequest<FastifyRequest>().principal;
  if (principal?.kind !== 'session') throw new Error('CurrentSession used on a route that admits API keys');
  return principal;
});

/** The caller as the audit log records it: user or API key, session, ip, user agent. */
export const CurrentActor = createParamDecorator((_: unknown, ctx: ExecutionContext): Actor => {
  const request = ctx.switchToHttp().getRequest<FastifyRequest>();
  return actorOf(request.principal, requestMeta(request));
});

export const Meta = createParamDecorator((_: unknown, ctx: ExecutionContext): RequestMeta => {
  return requestMeta(ctx.switchToHttp().getRequest<FastifyRequest>());
});
