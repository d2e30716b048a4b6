import { Controller, Get } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { HealthResponse } from '@tessera/dto';
import { ApiError } from '../common/api-error.js';
import { Public } from '../common/auth.decorator.js';
import { Contract } from '../common/contract.decorator.js';

const READY_TIMEOUT_MS = 2000;

@Controller('health')
export class HealthController {
  constructor(private readonly dataSource: DataSource) {}

  @Get()
  @Public()
  @Contract({ summary: 'Liveness: the process answers', response: HealthResponse })
  live(): HealthResponse {
    return { status: 'ok' };
  }

  @Get('ready')
  @Public()
  @Contract({ summary: 'Readiness: the database answers', response: HealthResponse })
  async ready(): Promise<HealthResponse> {
    const database = await this.probe(() => this.dataSource.query('SELECT 1'));
    if (database !== 'ok') {
      throw new ApiError('service_unavailable', 'Not ready', { checks: { database } });
    }
    return { status: 'ok', checks: { database } };
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
