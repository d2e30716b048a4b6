import { Inject, Injectable } from '@nestjs/common';
import { ApiError } from '../common/api-error.js';
import { sha256Hex } from '../common/crypto.js';
import { CONFIG, type Config } from '../config/config.js';
import type { CounterStore } from './counter-store.js';

export const COUNTER_STORE = Symbol('COUNTER_STORE');

const MINUTE = 60_000;
const FAILURE_WINDOW_MS = 15 * MINUTE;
/** The first lock after too many failures; each further failure doubles it, up to the window. */
const FIRST_LOCK_MS = 30_000;

const tooMany = (ttlMs: number, what: string) => {
  const seconds = Math.max(1, Math.ceil(ttlMs / 1000));
  return new ApiError('too_many_requests', `Too many ${what}; try again in ${seconds} s`, { retryAfter: seconds }, 429, {
    'retry-after': String(seconds),
  });
};

/** Keys never hold an email in clear (Redis is not a place for personal data). */
const account = (email: string) => sha256Hex(email.trim().toLowerCase()).slice(0, 32);

/**
 * Throttles password guessing without locking real users out for long: per client IP, and per
 * account (unknown emails exactly like known ones, so the limiter reveals nothing) with a lock
 * that grows with each failure and ends on its own; a successful sign-in clears it.
 */
@Injectable()
export class RateLimitService {
  constructor(
    @Inject(COUNTER_STORE) private readonly store: CounterStore,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  /** Before any password work: refuses an IP over its budget or a locked account. */
  async beforeSignIn(ip: string, email: string): Promise<void> {
    const perIp = await this.store.increment(`rl:signin:ip:${ip}`, MINUTE);
    if (perIp.count > this.config.rateLimits.signInPerIpPerMinute) throw tooMany(perIp.ttlMs, 'sign-in attempts from this address');
    const lock = await this.store.get(`rl:signin:lock:${account(email)}`);
    if (lock) throw tooMany(lock.ttlMs, 'failed sign-ins for this account');
  }

  async signInFailed(email: string): Promise<void> {
    const key = account(email);
    const failures = await this.store.increment(`rl:signin:fail:${key}`, FAILURE_WINDOW_MS);
    const over = failures.count - this.config.rateLimits.signInAccountFailures;
    if (over >= 0) {
      const lockMs = Math.min(FIRST_LOCK_MS * 2 ** Math.min(over, 10), FAILURE_WINDOW_MS);
      await this.store.set(`rl:signin:lock:${key}`, 1, lockMs);
    }
  }

  async signInSucceeded(email: string): Promise<void> {
    const key = account(email);
    await this.store.delete(`rl:signin:fail:${key}`, `rl:signin:lock:${key}`);
  }

  /** Unauthenticated routes other than sign-in (the dashboard code exchange): a budget per IP. */
  async perIp(route: string, ip: string): Promise<void> {
    const c = await this.store.increment(`rl:${route}:ip:${ip}`, MINUTE);
    if (c.count > this.config.rateLimits.publicPerIpPerMinute) throw tooMany(c.ttlMs, 'requests from this address');
  }
}
