import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';

/** A count that expires, as the rate limiter keeps them. */
export interface Counter {
  /** Infinity when the store has no room to count a new key: over every limit until it has. */
  count: number;
  /** Milliseconds until it expires (or, when full, until the store may have room). */
  ttlMs: number;
}

/** How attempts on one account are counted: `limit` in `windowMs`, then a lock. */
export interface AttemptPolicy {
  limit: number;
  windowMs: number;
  /** The lock set by the limit-th attempt, the one after it, and so on; the last repeats. */
  locksMs: readonly number[];
}

/**
 * An attempt reserved before the password is checked (`locking`: this one set the lock, as the
 * last allowed), or refused: the account is locked, or the store has no room to count it.
 */
export type Reservation =
  { refused: false; locking: boolean } | { refused: true; reason: 'locked' | 'full'; ttlMs: number };

/** Where rate-limit counters live: this process's memory, or Redis shared by every process. */
export interface CounterStore {
  /** Adds one, creating the counter with this lifetime when it does not exist. */
  increment(key: string, ttlMs: number): Promise<Counter>;
  /**
   * In one atomic step: refused while the key is locked; otherwise counts one attempt (a failure
   * until told otherwise) and, from the limit-th on, locks the key before the attempt even runs.
   */
  reserve(key: string, policy: AttemptPolicy): Promise<Reservation>;
  /** Takes back a reservation that turned out not to be a failure (and the lock it set). */
  release(key: string, locking: boolean): Promise<void>;
  /** Forgets every attempt and any lock. */
  clear(key: string): Promise<void>;
}

const lockFor = (policy: AttemptPolicy, over: number) => policy.locksMs[Math.min(over, policy.locksMs.length - 1)]!;

interface Entry {
  count: number;
  /** The end of the counting window. */
  expiresAt: number;
  /** The end of the lock; 0 when there is none. */
  lockedUntil: number;
}

const endOf = (e: Entry) => Math.max(e.expiresAt, e.lockedUntil);
/** A sweep reads every entry: at most this often, however hard the store is pushed. */
const SWEEP_INTERVAL_MS = 1000;

/**
 * Per-process counters, bounded. An entry goes only when its window and its lock have both ended:
 * when full of live entries, a new key is refused (its requests answer 429) rather than an account
 * lock dropped to make room. An account's lock lives in its counter's entry, so locking never
 * needs room.
 */
export class MemoryCounterStore implements CounterStore {
  private readonly entries = new Map<string, Entry>();
  /** No entry ends before this (a lower bound; exact after a sweep). */
  private earliestEnd = Infinity;
  private lastSweep = -Infinity;

  constructor(
    private readonly maxEntries = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  private live(key: string, now: number): Entry | undefined {
    const e = this.entries.get(key);
    if (e && endOf(e) <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  /** A new entry for `key`, or the milliseconds until there may be room for one. */
  private add(key: string, e: Entry, now: number): number {
    if (this.entries.size >= this.maxEntries && now >= this.earliestEnd && now >= this.lastSweep + SWEEP_INTERVAL_MS) {
      this.lastSweep = now;
      this.earliestEnd = Infinity;
      for (const [k, other] of this.entries) {
        if (endOf(other) <= now) this.entries.delete(k);
        else this.earliestEnd = Math.min(this.earliestEnd, endOf(other));
      }
    }
    if (this.entries.size >= this.maxEntries) {
      return Math.max(this.earliestEnd, this.lastSweep + SWEEP_INTERVAL_MS) - now;
    }
    this.entries.set(key, e);
    this.earliestEnd = Math.min(this.earliestEnd, endOf(e));
    return 0;
  }

  increment(key: string, ttlMs: number): Promise<Counter> {
    const now = this.now();
    let e = this.live(key, now);
    if (!e) {
      e = { count: 0, expiresAt: now + ttlMs, lockedUntil: 0 };
      const waitMs = this.add(key, e, now);
      if (waitMs > 0) return Promise.resolve({ count: Infinity, ttlMs: waitMs });
    }
    e.count += 1;
    return Promise.resolve({ count: e.count, ttlMs: e.expiresAt - now });
  }

  reserve(key: string, policy: AttemptPolicy): Promise<Reservation> {
    const now = this.now();
    let e = this.live(key, now);
    if (e && e.lockedUntil > now) {
      return Promise.resolve({ refused: true, reason: 'locked', ttlMs: e.lockedUntil - now });
    }
    if (!e) {
      e = { count: 0, expiresAt: now + policy.windowMs, lockedUntil: 0 };
      const waitMs = this.add(key, e, now);
      if (waitMs > 0) return Promise.resolve({ refused: true, reason: 'full', ttlMs: waitMs });
    }
    e.count += 1;
    const over = e.count - policy.limit;
    if (over >= 0) e.lockedUntil = now + lockFor(policy, over);
    return Promise.resolve({ refused: false, locking: over >= 0 });
  }

  release(key: string, locking: boolean): Promise<void> {
    const e = this.live(key, this.now());
    if (e) {
      e.count = Math.max(0, e.count - 1);
      if (locking) e.lockedUntil = 0;
    }
    return Promise.resolve();
  }

  clear(key: string): Promise<void> {
    this.entries.delete(key);
    return Promise.resolve();
  }
}

const INCREMENT = `
local c = redis.call('INCR', KEYS[1])
if c == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {c, redis.call('PTTL', KEYS[1])}`;
/** KEYS: the attempts, the lock. ARGV: window, limit, then the locks (see AttemptPolicy). Answers {state, ms}. */
const RESERVE = `
local locked = redis.call('PTTL', KEYS[2])
if locked > 0 then return {0, locked} end
local c = redis.call('INCR', KEYS[1])
if c == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local over = c - tonumber(ARGV[2])
if over < 0 then return {1, 0} end
local ms = ARGV[3 + math.min(over, #ARGV - 3)]
redis.call('SET', KEYS[2], '1', 'PX', ms)
return {2, tonumber(ms)}`;
const RELEASE = `
local c = redis.call('GET', KEYS[1])
if c and tonumber(c) > 0 then redis.call('DECR', KEYS[1]) end
if ARGV[1] == '1' then redis.call('DEL', KEYS[2]) end`;

/** Counters in Redis, shared by every API process; each operation is one atomic script. */
export class RedisCounterStore implements CounterStore {
  constructor(private readonly redis: Redis) {}

  async increment(key: string, ttlMs: number): Promise<Counter> {
    const [count, ttl] = (await this.redis.eval(INCREMENT, 1, key, ttlMs)) as [number, number];
    return { count, ttlMs: ttl };
  }

  async reserve(key: string, policy: AttemptPolicy): Promise<Reservation> {
    const args = [policy.windowMs, policy.limit, ...policy.locksMs];
    const [state, ms] = (await this.redis.eval(RESERVE, 2, key, `${key}:lock`, ...args)) as [number, number];
    return state === 0 ? { refused: true, reason: 'locked', ttlMs: ms } : { refused: false, locking: state === 2 };
  }

  async release(key: string, locking: boolean): Promise<void> {
    await this.redis.eval(RELEASE, 2, key, `${key}:lock`, locking ? '1' : '0');
  }

  async clear(key: string): Promise<void> {
    await this.redis.del(key, `${key}:lock`);
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
        this.logger.warn(
          `Redis is unavailable (${(error as Error).message}): rate limits are per process until it returns`,
        );
      }
      return op(this.fallback);
    }
  }

  increment(key: string, ttlMs: number): Promise<Counter> {
    return this.run((s) => s.increment(key, ttlMs));
  }
  reserve(key: string, policy: AttemptPolicy): Promise<Reservation> {
    return this.run((s) => s.reserve(key, policy));
  }
  release(key: string, locking: boolean): Promise<void> {
    return this.run((s) => s.release(key, locking));
  }
  clear(key: string): Promise<void> {
    return this.run((s) => s.clear(key));
  }
}
