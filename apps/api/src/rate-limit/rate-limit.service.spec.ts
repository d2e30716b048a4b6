import { MemoryCounterStore } from './counter-store.js';
import { RateLimitService } from './rate-limit.service.js';
import type { Config } from '../config/config.js';
import { ApiError } from '../common/api-error.js';

const config = { rateLimits: { signInPerIpPerMinute: 100, signInAccountFailures: 3, publicPerIpPerMinute: 100 } } as Config;

async function lockSeconds(limits: RateLimitService, email: string): Promise<number> {
  try {
    await limits.beforeSignIn('203.0.113.9', email);
  } catch (error) {
    return Number((error as ApiError).headers?.['retry-after']);
  }
  return 0;
}

describe('RateLimitService', () => {
  it('locks an account after the allowed failures, longer with each further failure', async () => {
    const store = new MemoryCounterStore();
    const limits = new RateLimitService(store, config);
    for (let i = 0; i < 2; i++) await limits.signInFailed('ada@example.test');
    expect(await lockSeconds(limits, 'ada@example.test')).toBe(0);
    await limits.signInFailed('ada@example.test');
    expect(await lockSeconds(limits, 'ADA@example.test ')).toBe(30);

    // The lock ran out (simulated), the next failure locks for twice as long, and so on.
    const locks = [];
    for (let i = 0; i < 3; i++) {
      for (const key of [...(store as unknown as { counters: Map<string, unknown> }).counters.keys()]) {
        if (key.startsWith('rl:signin:lock:')) await store.delete(key);
      }
      await limits.signInFailed('ada@example.test');
      locks.push(await lockSeconds(limits, 'ada@example.test'));
    }
    expect(locks).toEqual([60, 120, 240]);
  });

  it('caps the lock at the 15-minute window and clears everything on success', async () => {
    const store = new MemoryCounterStore();
    const limits = new RateLimitService(store, config);
    for (let i = 0; i < 20; i++) await limits.signInFailed('bob@example.test');
    expect(await lockSeconds(limits, 'bob@example.test')).toBe(900);
    await limits.signInSucceeded('bob@example.test');
    expect(await lockSeconds(limits, 'bob@example.test')).toBe(0);
  });

  it('keeps its memory bounded', async () => {
    const store = new MemoryCounterStore(100);
    for (let i = 0; i < 1000; i++) await store.increment(`k${i}`, 60_000);
    expect((store as unknown as { counters: Map<string, unknown> }).counters.size).toBeLessThanOrEqual(100);
  });
});
