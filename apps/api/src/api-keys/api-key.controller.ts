import { Controller, Delete, Get, Post } from '@nestjs/common';
import { ApiKeyPage, CreateApiKeyRequest, CreateApiKeyResponse, ListQuery, type ApiKey, type Page } from '@tessera/dto';
import { AuditService } from '../audit/audit.service.js';
import { CurrentActor, type Actor } from '../auth/principal.js';
import { TransactionRunner } from '../infra/database/transaction-runner.js';
import { Auth } from '../infra/http/auth.decorator.js';
import { Contract, UuidParam, ValidBody, ValidQuery } from '../infra/http/contract.decorator.js';
import { ApiKeyService, toApiKeyDto } from './api-key.service.js';

@Controller('v1/admin/api-keys')
export class ApiKeyController {
  constructor(
    private readonly db: TransactionRunner,
    private readonly apiKeys: ApiKeyService,
    private readonly audit: AuditService,
  ) {}

  @Post()
  @Auth('admin')
  @Contract({
    summary: 'Create an API key; its secret is shown once',
    body: CreateApiKeyRequest,
    response: CreateApiKeyResponse,
    status: 201,
  })
  createApiKey(@ValidBody() body: CreateApiKeyRequest, @CurrentActor() actor: Actor): Promise<CreateApiKeyResponse> {
    return this.db.transaction(async (m) => {
      const { key, secret } = await this.apiKeys.create(
        {
          name: body.name,
          role: body.roles[0],
          expiresAt: body.expiresAt === undefined ? undefined : Date.parse(body.expiresAt),
        },
        m,
      );
      await this.audit.record(m, {
        type: 'api_key.created',
        actor,
        details: { apiKeyId: key.id, name: key.name, role: key.role },
      });
      return { apiKey: toApiKeyDto(key), secret };
    });
  }

  @Get()
  @Auth('admin')
  @Contract({ summary: 'List API keys (never their secrets)', query: ListQuery, response: ApiKeyPage })
  async listApiKeys(@ValidQuery() query: ListQuery): Promise<Page<ApiKey>> {
    const page = await this.apiKeys.list(query);
    return { items: page.items.map(toApiKeyDto), next: page.next };
  }

  @Delete(':id')
  @Auth('admin')
  @Contract({ summary: 'Revoke an API key, effective on its next request', status: 204 })
  async revokeApiKey(@UuidParam('id') id: string, @CurrentActor() actor: Actor): Promise<void> {
    await this.db.transaction(async (m) => {
      const key = await this.apiKeys.revoke(id, m);
      await this.audit.record(m, { type: 'api_key.revoked', actor, details: { apiKeyId: key.id, name: key.name } });
    });
  }
}
