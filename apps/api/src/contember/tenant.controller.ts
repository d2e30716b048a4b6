import { Controller, Inject, Logger, Post, Req, Res, UseFilters } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GraphQLError, OperationTypeNode, execute, getOperationAST, type ExecutionResult } from 'graphql';
import { z } from 'zod';
import { actorOf, requestMeta } from '../auth/principal.js';
import { ApiError } from '../infra/http/api-error.js';
import { Auth, DuringEnrolment } from '../infra/http/auth.decorator.js';
import { CONFIG, type Config } from '../infra/config/config.js';
import { Contract } from '../infra/http/contract.decorator.js';
import { isUnavailable } from '../infra/http/error.filter.js';
import {
  DURING_ENROLMENT_FIELDS,
  META_FIELDS,
  SIGN_IN_FIELDS,
  TenantApiService,
  type TenantCall,
} from './tenant-api.service.js';
import { fragmentsOf, rootFieldNames, TenantDocuments } from './tenant-documents.js';
import { CONTEMBER_ERROR, TenantErrorFilter } from './tenant-error.filter.js';
import { tenantSchema } from './tenant.schema.js';

/** A GraphQL request as Contember's client posts it (documented in OpenAPI; read by hand below). */
const TenantRequest = z.object({
  query: z.string().describe('A GraphQL document of the Tenant API (see docs/contember.md)'),
  variables: z.record(z.string(), z.unknown()).nullable().optional(),
  operationName: z.string().nullable().optional(),
});

const TenantAnswer = z.object({
  data: z.record(z.string(), z.unknown()).nullable().optional(),
  errors: z.array(z.object({ message: z.string() }).passthrough()).optional(),
});

/** A GraphQL answer and its HTTP status. */
interface Answer {
  status: number;
  body: { data?: unknown; errors?: unknown[] };
}

const refused = (message: string): Answer => ({ status: 400, body: { errors: [{ message }] } });

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Contember's Tenant API at `POST /tenant`, for its official client: one GraphQL endpoint over the
 * same services as /v1. Transport errors (401, 403, 413, 415, 429) are Contember's
 * `{"errors":[{code, message}]}`; GraphQL answers follow Contember's statuses (200 unless `data` is
 * null: then 400, 403 or 500).
 */
@Controller('tenant')
@UseFilters(TenantErrorFilter)
export class TenantController {
  private readonly logger = new Logger('Tenant');
  private readonly documents = new TenantDocuments();

  constructor(
    private readonly api: TenantApiService,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  @Post()
  @Auth('optional', 'admin', 'user', 'impersonation')
  @DuringEnrolment()
  @Contract({
    summary: "Contember's Tenant API (GraphQL): sign-in, sign-out, impersonation, people, API keys",
    body: TenantRequest,
    response: TenantAnswer,
    status: 200,
    errorShape: CONTEMBER_ERROR,
  })
  async graphql(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<unknown> {
    const answer = await this.answer(request, reply);
    void reply.status(answer.status).type('application/json; charset=utf-8');
    return answer.body;
  }

  private async answer(request: FastifyRequest, reply: FastifyReply): Promise<Answer> {
    const body: unknown = request.body;
    if (Array.isArray(body)) return refused('Batched queries are not supported');
    if (!isRecord(body) || typeof body.query !== 'string') return refused('Missing request query');
    const { variables, operationName } = body;
    if (variables !== undefined && variables !== null && !isRecord(variables))
      return refused('variables must be an object');
    if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') {
      return refused('operationName must be a string');
    }

    const prepared = this.documents.prepare(body.query);
    if (prepared.errors) return { status: 400, body: { errors: prepared.errors.map((e) => e.toJSON()) } };
    const { document } = prepared;
    const operation = getOperationAST(document, operationName ?? undefined);
    if (!operation) return refused('Must provide a known operationName when the query has several operations');
    if (operation.operation === OperationTypeNode.SUBSCRIPTION) return refused('Subscriptions are not supported');

    this.admit(request, rootFieldNames(operation.selectionSet, fragmentsOf(document)));
    const work: (() => void)[] = [];
    const call: TenantCall = {
      principal: request.principal,
      actor: actorOf(request.principal, requestMeta(request)),
      afterAnswer: (followUp) => work.push(followUp),
    };
    const result = await execute({
      schema: tenantSchema,
      document,
      rootValue: this.api.root,
      contextValue: call,
      variableValues: variables ?? undefined,
      operationName: operationName ?? undefined,
    });
    // Started once the answer has left: it never delays it, so its time tells nothing.
    for (const followUp of work) reply.raw.once('close', followUp);
    return this.shaped(result, request);
  }

  /**
   * The gate before execution, on the root fields: without credentials only sign-in's class (and
   * introspection), as Contember answers 401; a session that must enrol a second factor only that.
   */
  private admit(request: FastifyRequest, fields: string[]): void {
    const principal = request.principal;
    if (!principal) {
      const open = (field: string) =>
        META_FIELDS.has(field) ||
        (SIGN_IN_FIELDS.has(field) && !this.config.signInRequiresLoginKey) ||
        (field === 'signUp' && this.config.accounts.signUp === 'open');
      if (!fields.every(open)) throw new ApiError('unauthorized', 'Credentials required');
    } else if (principal.kind === 'session' && principal.session.enrolOnly) {
      if (!fields.every((field) => DURING_ENROLMENT_FIELDS.has(field) || META_FIELDS.has(field))) {
        throw new ApiError('mfa_enrollment_required', 'Enrol a second factor first: this session may only do that');
      }
    }
  }

  /**
   * Errors of the execution: a credential that stopped counting, a rate limit and an unavailable
   * database are answered on the transport (401, 429, 503); GraphQL's own errors keep their
   * extensions; anything else is "Internal server error", logged without reaching the body.
   */
  private shaped(result: ExecutionResult, request: FastifyRequest): Answer {
    let forbidden = false;
    let internal = false;
    const errors = result.errors?.map((error) => {
      const cause = error.originalError;
      if (cause instanceof ApiError && [401, 429, 503].includes(cause.status)) throw cause;
      if (cause !== undefined && !(cause instanceof GraphQLError)) {
        if (isUnavailable(cause)) throw cause;
        internal = true;
        this.logger.error(`request ${request.id}: ${cause.stack ?? String(cause)}`);
        return { message: 'Internal server error', locations: error.locations, path: error.path };
      }
      if (error.extensions.code === 'ForbiddenError') forbidden = true;
      return error.toJSON();
    });
    const body = errors ? { data: result.data ?? null, errors } : { data: result.data };
    if (result.data !== null && result.data !== undefined) return { status: 200, body };
    return { status: internal ? 500 : forbidden ? 403 : 400, body };
  }
}
