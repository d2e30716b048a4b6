import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import jwt from 'jsonwebtoken';
import passport from 'passport';
import { SESSION_TYPES, type SessionType } from '@tessera/dto';
import { ApiError } from '../infra/http/api-error.js';
import { CONFIG, type Config } from '../infra/config/config.js';
import { API_KEY_STRATEGY, ApiKeyStrategy } from './api-key.strategy.js';
import { AUTH_KEY, DURING_ENROLMENT_KEY, type Caller } from '../infra/http/auth.decorator.js';
import { parseAuthorization } from './authorization-header.js';
import type { Principal } from './principal.js';
import { SESSION_TOKEN_STRATEGY, SessionTokenStrategy } from './session-token.strategy.js';

/** The middleware passport.authenticate makes for one request. */
type Authenticate = (request: FastifyRequest, reply: FastifyReply, next: (error?: unknown) => void) => void;

/** Tried in this order: an API key strategy that passes session tokens on, then the session token one. */
const STRATEGIES = [API_KEY_STRATEGY, SESSION_TOKEN_STRATEGY];
/** No login session: the principal is found again on every request. */
const OPTIONS = { session: false };

const isSessionType = (c: Caller): c is SessionType => (SESSION_TYPES as readonly string[]).includes(c);

/**
 * The one global guard: reads the route's @Auth rule, runs the passport strategies to find the
 * principal, then checks it against the rule.
 *
 * The strategies are this application's instances, in a passport Authenticator of its own:
 * @nestjs/passport's AuthGuard finds them by name in passport's process-wide registry, where the
 * application constructed last answers for every other one in the same process (the API tests run
 * several), with its keys and its database.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly passport: passport.Authenticator;

  constructor(
    private readonly reflector: Reflector,
    @Inject(CONFIG) private readonly config: Config,
    apiKeys: ApiKeyStrategy,
    sessionTokens: SessionTokenStrategy,
  ) {
    this.passport = new passport.Authenticator();
    this.passport.use(API_KEY_STRATEGY, apiKeys).use(SESSION_TOKEN_STRATEGY, sessionTokens);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const callers = this.reflector.getAllAndOverride<Caller[] | undefined>(AUTH_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    // Fail closed: a route that forgot to say who may call it answers nobody.
    if (!callers) throw new ApiError('forbidden', 'This route declares no access rule');
    if (callers.includes('anyone')) return true;
    if (callers.includes('sign-in') && !this.config.signInRequiresLoginKey) return true;

    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    if (parseAuthorization(request.headers.authorization) === null) {
      // Only here, without credentials: an 'optional' route then runs with no principal.
      if (callers.includes('optional')) return true;
      throw new ApiError('unauthorized', 'Credentials required');
    }
    const principal = await this.authenticate(request, http.getResponse<FastifyReply>());
    request.principal = principal;
    admit(callers, principal);
    if (principal.kind === 'session' && principal.session.enrolOnly) this.admitDuringEnrolment(context);
    return true;
  }

  /** A session that must enrol a second factor first (TESSERA_REQUIRE_MFA) calls only @DuringEnrolment routes. */
  private admitDuringEnrolment(context: ExecutionContext): void {
    const allowed = this.reflector.getAllAndOverride<boolean | undefined>(DURING_ENROLMENT_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (allowed !== true) {
      throw new ApiError('mfa_enrollment_required', 'Enrol a second factor first: this session may only do that');
    }
  }

  private authenticate(request: FastifyRequest, reply: FastifyReply): Promise<Principal> {
    return new Promise((resolve, reject) => {
      const done = (error: unknown, principal?: Principal | false | null, info?: unknown) => {
        const outcome = verdict(error, principal, info);
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      };
      // Only a strategy that passes the request on (none of ours does) calls next.
      const next = (error?: unknown) => reject(error instanceof Error ? error : new Error('No strategy decided'));
      // @types/passport types the middleware as any.
      const authenticate = this.passport.authenticate(STRATEGIES, OPTIONS, done) as Authenticate;
      authenticate(request, reply, next);
    });
  }
}

/** Passport's outcome: an error of AuthService stands; a token passport-jwt refused is a 401. */
function verdict(error: unknown, principal: Principal | false | null | undefined, info: unknown): Principal | Error {
  if (error) return error instanceof Error ? error : new Error('Authentication failed');
  if (principal) return principal;
  // Every strategy failed: the API key one passes session tokens on, so passport-jwt refused this one.
  const reasons: unknown[] = Array.isArray(info) ? info : [info];
  const expired = reasons.some((reason) => reason instanceof jwt.TokenExpiredError);
  if (expired) return new ApiError('token_expired', 'Session expired');
  return new ApiError('unauthorized', 'Invalid session token');
}

/** Whether the route's rule admits this principal; 403 otherwise. */
function admit(callers: Caller[], principal: Principal): void {
  if (principal.kind === 'api_key') {
    const { role } = principal.apiKey;
    if (role === 'admin' && (callers.includes('admin') || callers.includes('sign-in'))) return;
    if (role === 'login' && (callers.includes('sign-in') || callers.includes('optional'))) return;
    if (!callers.includes('admin') && callers.some(isSessionType)) {
      throw new ApiError('not_a_person', 'An API key is not a person: this needs a session');
    }
    throw new ApiError('forbidden', 'This API key may not do this');
  }
  const { session, user } = principal;
  if (callers.includes(session.type)) return;
  if (callers.includes('admin') && session.type === 'user' && user.superAdmin) return;
  throw new ApiError('forbidden', `A ${session.type} session may not do this`);
}
