import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';

/** A count that expires, as the rate limiter keeps them. */
export interface Counter {
  count: number;
  /** Milliseconds until it expires. */
  ttlMs: number;
}

/** Where rate-limit counters live: this process's memory, or Redis shared by every process. */
export interface CounterStore {
  /** Adds one, creating the counter with this lifetime when it does not exist. */
  increment(key: string, ttlMs: number): Promise<Counter>;
  get(key: string): Promise<Counter | null>;
  set(key: string, count: number, ttlMs: number): Promise<void>;
  delete(...keys: string[]): Promise<void>;
}

/** Per-process counters, bounded: expired entries are swept, and past the cap the oldest go. */
export class MemoryCounterStore implements CounterStore {
  private readonly counters = new Map<string, { count: number; expiresAt: number }>();

  constructor(private readonly maxEntries = 100_000) {}

  private live(key: string, now: number) {
    const c = this.counters.get(key);
    if (c && c.expiresAt <= now) {
      this.counters.delete(key);
      return undefined;
    }
    return c;
  }

  private makeRoom(now: number): void {
    if (this.counters.size < this.maxEntries) return;
    for (const [key, c] of this.counters) if (c.expiresAt <= now) this.counters.delete(key);
    // Still full: drop the oldest (a Map iterates in insertion order).
    for (const key of this.counters.keys()) {
      if (this.counters.size < this.maxEntries) break;
      this.counters.delete(key);
    }
  }

  increment(key: string, ttlMs: number): Promise<Counter> {
    const now = Date.now();
    let c = this.live(key, now);
    if (!c) {
      this.makeRoom(now);
      c = { count: 0, expiresAt: now + ttlMs };
      this.counters.set(key, c);
    }
    c.count += 1;
    return Promise.resolve({ count: c.count, ttlMs: c.expiresAt - now });
  }

  get(key: string): Promise<Counter | null> {
    const now = Date.now();
    const c = this.live(key, now);
    return Promise.resolve(c ? { count: c.count, ttlMs: c.expiresAt - now } : null);
  }

  set(key: string, count: number, ttlMs: number): Promise<void> {
    this.makeRoom(Date.now());
    this.counters.set(key, { count, expiresAt: Date.now() + ttlMs });
    return Promise.resolve();
  }

  delete(...keys: string[]): Promise<void> {
    for (const key of keys) this.counters.delete(key);
    return Promise.resolve();
  }
}

const INCREMENT = `
local c = redis.call('INCR', KEYS[1])
if c == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {c, redis.call('PTTL', KEYS[1])}`;
const READ = `
local c = redis.call('GET', KEYS[1])
if not c then return nil end
return {tonumber(c), redis.call('PTTL', KEYS[1])}`;

/** Counters in Redis, shared by every API process; each operation is one atomic script. */
export class RedisCounterStore implements CounterStore {
  constructor(private readonly redis: Redis) {}

  async increment(key: string, ttlMs: number): Promise<Counter> {
    const [count, ttl] = (await this.redis.eval(INCREMENT, 1, key, ttlMs)) as [number, number];
    return { count, ttlMs: ttl };
  }

  async get(key: string): Promise<Counter | null> {
    const r = (await this.redis.eval(READ, 1, key)) as [number, number] | null;
    return r ? { count: r[0], ttlMs: r[1] } : null;
  }

  async set(key: string, count: number, ttlMs: number): Promise<void> {
    await this.redis.set(key, count, 'PX', ttlMs);
  }

  async delete(...keys: string[]): Promise<void> {
    if (keys.length > 0) await this.redis.del(...keys);
  }
}

/**
 * Redis first; while Redis is away, this process's own counters (limits then hold per process).
 * It says so once when Redis goes and once when it returns, and never fails a request over it.
 */
export class FallbackCounterStore implements CounterStore {
  private readonly logger = new Logger('RateLimit');
  private degraded = false;

  constructor(
    private readonly primary: CounterStore,
    private readonly fallback: CounterStore,
  ) {}

  get usingFallback(): boolean {
    return this.degraded;
  }

  private async run<T>(op: (store: CounterStore) => Promise<T>): Promise<T> {
    try {
      const result = await op(this.primary);
      if (this.degraded) {
        this.degraded = false;
        this.logger.log('Redis is reachable again: rate limits are shared across processes again');
      }
      return result;
    } catch (error) {
      if (!this.degraded) {
        this.degraded = true;
        this.logger.warn(`Redis is unavailable (${(error as Error).message}): rate limits are per process until it returns`);
      }
      return op(this.fallback);
    }
  }

  increment(key: string, ttlMs: number): Promise<Counter> {
    return this.run((s) => s.increment(key, ttlMs));
  }
  get(key: string): Promise<Counter | null> {
    return this.run((s) => s.get(key));
  }
  set(key: string, count: number, ttlMs: number): Promise<void> {
    return this.run((s) => s.set(key, count, ttlMs));
  }
  delete(...keys: string[]): Promise<void> {
    return this.run((s) => s.delete(...keys));
  }
}
