import { Controller, Get, Inject } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { HealthResponse } from '@tessera/dto';
import { ApiError } from '../infra/http/api-error.js';
import { Public } from '../infra/http/auth.decorator.js';
import { Contract } from '../infra/http/contract.decorator.js';
import { REDIS } from '../rate-limit/rate-limit.module.js';
import { HealthRepository } from './health.repository.js';

const READY_TIMEOUT_MS = 2000;

@Controller('health')
export class HealthController {
  constructor(
    private readonly database: HealthRepository,
    @Inject(REDIS) private readonly redis: Redis | null,
  ) {}

  @Get()
  @Public()
  @Contract({ summary: 'Liveness: the process answers', response: HealthResponse })
  live(): HealthResponse {
    return { status: 'ok' };
  }

  @Get('ready')
  @Public()
  @Contract({ summary: 'Readiness: the database answers (and Redis, when configured)', response: HealthResponse })
  async ready(): Promise<HealthResponse> {
    const [database, redis] = await Promise.all([
      this.probe(() => this.database.ping()),
      this.redis ? this.probe(() => this.redis!.ping()) : Promise.resolve(undefined),
    ]);
    const checks = { database, ...(redis ? { redis } : {}) };
    // Without the database nothing works; without Redis the service still works (per-process limits).
    if (database !== 'ok') throw new ApiError('service_unavailable', 'Not ready', { checks });
    return { status: redis === 'unavailable' ? 'degraded' : 'ok', checks };
  }

  private async probe(check: () => Promise<unknown>): Promise<'ok' | 'unavailable'> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'unavailable'>((resolve) => {
      timer = setTimeout(() => resolve('unavailable'), READY_TIMEOUT_MS);
    });
    try {
      return await Promise.race([check().then(() => 'ok' as const), timeout]);
    } catch {
      return 'unavailable';
    } finally {
      clearTimeout(timer);
    }
  }
}
