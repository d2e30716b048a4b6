import { RequestMethod, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import {
  CUSTOM_ROUTE_ARGS_METADATA,
  EXCEPTION_FILTERS_METADATA,
  GUARDS_METADATA,
  HEADERS_METADATA,
  HTTP_CODE_METADATA,
  INTERCEPTORS_METADATA,
  METHOD_METADATA,
  PIPES_METADATA,
  REDIRECT_METADATA,
  RENDER_METADATA,
  ROUTE_ARGS_METADATA,
  SSE_METADATA,
} from '@nestjs/common/constants.js';
import { ModulesContainer, type ApplicationConfig } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { ApiError } from './api-error.js';
import { AuthGuard } from './auth.guard.js';
import { ErrorFilter, sendError, toErrorResponse } from './error.filter.js';

/**
 * Direct routes: the two routes that other services call on every request they serve (validate a
 * session, ask a check) are answered by a lean handler instead of Nest's per-request pipeline. It
 * runs the same parts in the same order: the global AuthGuard, the handler's own param decorators
 * (body validation included), the handler, its success status, and the ErrorFilter's error bodies.
 * Nest still declares and registers the route (OpenAPI, @Auth, the route list); only the function
 * Fastify calls is swapped, in Fastify's onRoute hook. A/B on a noisy 2-core VM, server CPU a
 * request: validate 0.76-1.00 ×, check 0.70-0.91 × (to be confirmed by instruction counts).
 *
 * Everything else Nest could do for a route (interceptors, pipes, filters or guards of its own,
 * @Header, @Redirect, @Res, built-in param decorators, global enhancers beyond ours) is refused
 * at startup on a direct route, so a later change cannot be skipped silently.
 */
export const DIRECT_KEY = 'tessera:direct';

interface DirectTarget {
  controller: abstract new (...args: never[]) => object;
  method: string | symbol;
}

export const Direct = (): MethodDecorator => (target, method, descriptor) => {
  const direct: DirectTarget = { controller: target.constructor as DirectTarget['controller'], method };
  SetMetadata(DIRECT_KEY, direct)(target, method, descriptor);
};

/** The @Direct handlers of the application's controllers, by their metadata. */
function directHandlersOf(app: NestFastifyApplication): string[] {
  const found: string[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const { metatype } of module.controllers.values()) {
      const proto = (metatype as { prototype: Record<string, unknown> }).prototype;
      for (const name of Object.getOwnPropertyNames(proto)) {
        const handler = proto[name];
        if (typeof handler === 'function' && Reflect.getMetadata(DIRECT_KEY, handler) !== undefined) found.push(`${(metatype as { name: string }).name}.${name}`);
      }
    }
  }
  return found;
}

type ParamFactory = (data: unknown, context: ExecutionContext) => unknown;
interface RouteArg {
  index: number;
  factory?: ParamFactory;
  data: unknown;
  pipes?: unknown[];
}

const ROUTE_ONLY_METADATA = [INTERCEPTORS_METADATA, PIPES_METADATA, EXCEPTION_FILTERS_METADATA, GUARDS_METADATA, HEADERS_METADATA, REDIRECT_METADATA, RENDER_METADATA, SSE_METADATA];

/** Why Nest's pipeline would do more for this route than the direct handler does; undefined if nothing. */
function unsupported(app: NestFastifyApplication, { controller, method }: DirectTarget, handler: object): string | undefined {
  for (const key of ROUTE_ONLY_METADATA) {
    if (Reflect.getMetadata(key, handler) !== undefined || Reflect.getMetadata(key, controller) !== undefined) return `it has ${key}`;
  }
  const args = Object.entries((Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, method) ?? {}) as Record<string, RouteArg>);
  if (args.some(([key, arg]) => !key.includes(CUSTOM_ROUTE_ARGS_METADATA) || (arg.pipes?.length ?? 0) > 0)) {
    return "a parameter uses one of Nest's built-in decorators or a pipe";
  }
  // Nest keeps its global enhancers in the application's config (no public getter).
  const config = (app as unknown as { config: ApplicationConfig }).config;
  const guards = config.getGlobalGuards();
  const filters = config.getGlobalFilters();
  if (guards.length !== 1 || !(guards[0] instanceof AuthGuard) || filters.length !== 1 || !(filters[0] instanceof ErrorFilter)) {
    return 'the global guards or filters are not exactly AuthGuard and ErrorFilter';
  }
  const extra = [config.getGlobalPipes(), config.getGlobalInterceptors(), config.getGlobalRequestPipes(), config.getGlobalRequestInterceptors(),
    config.getGlobalRequestGuards(), config.getGlobalRequestFilters(), config.getGlobalPreRequestHooks()];
  if (extra.some((list) => list.length > 0)) return 'there are global pipes, interceptors or request-scoped enhancers';
  return undefined;
}

/** The lean handler of one direct route. */
function directHandler(app: NestFastifyApplication, target: DirectTarget, handler: (...args: unknown[]) => unknown) {
  const { controller, method } = target;
  const instance = app.get<object, Record<string | symbol, (...args: unknown[]) => unknown>>(controller);
  const guard: CanActivate = app.get(AuthGuard);
  const args = Object.values((Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, method) ?? {}) as Record<string, RouteArg>).sort((a, b) => a.index - b.index);
  const verb = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod;
  const status = (Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined) ?? (verb === RequestMethod.POST ? 201 : 200);
  const run = instance[method]!;
  const direct = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    try {
      const context = new ExecutionContextHost([request, reply], controller as never, handler);
      // AuthGuard refuses by throwing; a `false` would be Nest's 403 all the same.
      if (!(await guard.canActivate(context))) throw new ApiError('forbidden', 'Forbidden resource');
      const values = args.map((arg) => arg.factory!(arg.data, context));
      const result = await run.apply(instance, values);
      return reply.status(status).send(result);
    } catch (error) {
      sendError(reply, toErrorResponse(error, request));
      return reply;
    }
  };
  // How it shows in stack traces and CPU profiles.
  Object.defineProperty(direct, 'name', { value: `direct ${controller.name}.${String(method)}` });
  return direct;
}

const installedRoutes = new WeakMap<NestFastifyApplication, Map<string, string[]>>();

/** `METHOD /path` of every route of `app` that its direct handler answers. */
export function directRoutes(app: NestFastifyApplication): string[] {
  return [...(installedRoutes.get(app)?.values() ?? [])].flat().sort();
}

/**
 * Swaps in the lean handler of every @Direct route as Nest registers it: call before `app.init()`,
 * and the returned check after it (a route Nest registered through a wrapper of its own, as it does
 * for paths with parameters, would otherwise silently stay on the full pipeline).
 */
export function installDirectRoutes(app: NestFastifyApplication): () => void {
  // Handler name → `METHOD /path` of each route it answers (a GET's HEAD route too).
  const installed = new Map<string, string[]>();
  installedRoutes.set(app, installed);
  app.getHttpAdapter().getInstance().addHook('onRoute', (route: RouteOptions) => {
    const target = Reflect.getMetadata(DIRECT_KEY, route.handler) as DirectTarget | undefined;
    if (target === undefined) return;
    const handler = (target.controller.prototype as Record<string | symbol, (...args: unknown[]) => unknown>)[target.method]!;
    const why = unsupported(app, target, handler);
    const label = `${String(route.method)} ${route.url}`;
    if (why !== undefined) throw new Error(`${label} cannot be a direct route: ${why}`);
    route.handler = directHandler(app, target, handler);
    const name = `${target.controller.name}.${String(target.method)}`;
    installed.set(name, [...(installed.get(name) ?? []), label]);
  });
  return () => {
    const missed = directHandlersOf(app).filter((name) => !installed.has(name));
    if (missed.length > 0) throw new Error(`@Direct routes left on Nest's pipeline: ${missed.join(', ')}`);
  };
}
