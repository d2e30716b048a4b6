import { Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { SessionTokenModule } from '../auth/session-token.module.js';
import { CONFIG, type Config } from '../infra/config/config.js';
import { FallbackCounterStore, MemoryCounterStore, RedisCounterStore } from './counter-store.js';
import { COUNTER_STORE, RateLimitService } from './rate-limit.service.js';

/** The Redis connection when REDIS_URL is set, else null. */
export const REDIS = Symbol('REDIS');

function connect(url: string, keyPrefix: string): Redis {
  const redis = new Redis(url, {
    keyPrefix,
    // Fail fast while Redis is away (the limiter then falls back), and keep reconnecting.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 2000,
    commandTimeout: 1000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
  // Connection errors are reported through the fallback store; an unhandled 'error' would crash.
  redis.on('error', () => undefined);
  return redis;
}

@Global()
@Module({
  // The signing keys: account counters are keyed by a key derived from them.
  imports: [SessionTokenModule],
  providers: [
    {
      provide: REDIS,
      inject: [CONFIG],
      useFactory: (config: Config) => (config.redisUrl ? connect(config.redisUrl, config.redisKeyPrefix) : null),
    },
    {
      provide: COUNTER_STORE,
      inject: [REDIS, CONFIG],
      useFactory: (redis: Redis | null, config: Config) => {
        const memory = new MemoryCounterStore(config.rateLimits.memoryEntries);
        return redis ? new FallbackCounterStore(new RedisCounterStore(redis), memory) : memory;
      },
    },
    RateLimitService,
  ],
  exports: [RateLimitService, REDIS],
})
export class RateLimitModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis | null) {}

  onApplicationShutdown(): void {
    if (this.redis) {
      this.redis.disconnect();
      new Logger('RateLimit').debug('Redis connection closed');
    }
  }
}
