import { Controller, Delete, Get, Post } from '@nestjs/common';
import { ApiKeyPage, CreateApiKeyRequest, CreateApiKeyResponse, ListQuery, type ApiKey, type Page } from '@tessera/dto';
import { CurrentActor, type Actor } from '../auth/principal.js';
import { Auth } from '../infra/http/auth.decorator.js';
import { Contract, UuidParam, ValidBody, ValidQuery } from '../infra/http/contract.decorator.js';
import { ApiKeyService, toApiKeyDto } from './api-key.service.js';

@Controller('v1/admin/api-keys')
export class ApiKeyController {
  constructor(private readonly apiKeys: ApiKeyService) {}

  @Post()
  @Auth('admin')
  @Contract({
    summary: 'Create an API key; its secret is shown once',
    body: CreateApiKeyRequest,
    response: CreateApiKeyResponse,
    status: 201,
  })
  async createApiKey(
    @ValidBody() body: CreateApiKeyRequest,
    @CurrentActor() actor: Actor,
  ): Promise<CreateApiKeyResponse> {
    const expiresAt = body.expiresAt === undefined ? undefined : Date.parse(body.expiresAt);
    const { key, secret } = await this.apiKeys.create({ name: body.name, role: body.roles[0], expiresAt }, actor);
    return { apiKey: toApiKeyDto(key), secret };
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
    await this.apiKeys.revoke(id, actor);
  }
}
