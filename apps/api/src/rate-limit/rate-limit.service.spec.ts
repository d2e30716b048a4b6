import { MemoryCounterStore, type CounterStore } from './counter-store.js';
import { sha256Hex } from '../common/crypto.js';
import { ACCOUNT_LOCKS_MS, RateLimitService, clientOf } from './rate-limit.service.js';
import type { Config } from '../infra/config/config.js';
import { ApiError } from '../infra/http/api-error.js';
import { signingKeysOf } from '../auth/signing-keys.js';

const KEYS = signingKeysOf('k'.repeat(32));

const config = {
  rateLimits: { signInPerIpPerMinute: 100, signInAccountFailures: 3, publicPerIpPerMinute: 100 },
} as Config;

/** A clock the test moves by hand. */
function clock() {
  let now = 1_000_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

/** 0 when an attempt was reserved (and left standing: a failure), else the 429's Retry-After. */
async function attempt(limits: RateLimitService, email: string, ip = '203.0.113.9'): Promise<number> {
  try {
    await limits.reserveSignIn(ip, email);
  } catch (error) {
    return Number((error as ApiError).headers?.['retry-after']);
  }
  return 0;
}

describe('RateLimitService', () => {
  it('locks an account after the allowed failures, longer with each further failure', async () => {
    const time = clock();
    const limits = new RateLimitService(new MemoryCounterStore(100, time.now), config, KEYS);
    for (let i = 0; i < 3; i++) expect(await attempt(limits, 'ada@example.test')).toBe(0);
    expect(await attempt(limits, 'ADA@example.test ')).toBe(30);

    // The lock runs out, the next failure locks for twice as long, and so on.
    const locks = [];
    for (let lockSeconds = 30; lockSeconds < 240; lockSeconds *= 2) {
      time.advance(lockSeconds * 1000);
      expect(await attempt(limits, 'ada@example.test')).toBe(0);
      locks.push(await attempt(limits, 'ada@example.test'));
    }
    expect(locks).toEqual([60, 120, 240]);
  });

  it('caps the lock at the 15-minute window and clears everything on success', async () => {
    expect(ACCOUNT_LOCKS_MS.map((ms) => ms / 1000)).toEqual([30, 60, 120, 240, 480, 900]);
    const limits = new RateLimitService(new MemoryCounterStore(), config, KEYS);
    for (let i = 0; i < 2; i++) await attempt(limits, 'bob@example.test');
    // The last allowed attempt locks the account before its password is checked; a right one clears it.
    const last = await limits.reserveSignIn('203.0.113.9', 'bob@example.test');
    expect(await attempt(limits, 'bob@example.test')).toBe(30);
    await last.succeeded();
    for (let i = 0; i < 3; i++) expect(await attempt(limits, 'bob@example.test')).toBe(0);
    expect(await attempt(limits, 'bob@example.test')).toBe(30);
  });

  it('reserves before the password is checked: of 10 attempts at once, 3 run and 7 are refused', async () => {
    const limits = new RateLimitService(new MemoryCounterStore(), config, KEYS);
    const answers = await Promise.all(Array.from({ length: 10 }, () => attempt(limits, 'cy@example.test')));
    expect(answers.filter((a) => a === 0)).toHaveLength(3);
    expect(answers.filter((a) => a === 30)).toHaveLength(7);
  });

  it('takes back a released attempt, and the lock it set, so it is no failure', async () => {
    const limits = new RateLimitService(new MemoryCounterStore(), config, KEYS);
    for (let i = 0; i < 2; i++) await attempt(limits, 'di@example.test');
    const third = await limits.reserveSignIn('203.0.113.9', 'di@example.test');
    expect(await attempt(limits, 'di@example.test')).toBe(30);
    await third.release();
    expect(await attempt(limits, 'di@example.test')).toBe(0);
    expect(await attempt(limits, 'di@example.test')).toBe(30);
  });
});

describe('MemoryCounterStore', () => {
  const policy = { limit: 1, windowMs: 900_000, locksMs: [600_000] };

  it('keeps its memory bounded', async () => {
    const store = new MemoryCounterStore(100);
    for (let i = 0; i < 1000; i++) await store.increment(`k${i}`, 60_000);
    expect(store.size).toBeLessThanOrEqual(100);
  });

  it('when full of live entries, refuses new keys and keeps every lock; ended entries make room', async () => {
    const time = clock();
    const store = new MemoryCounterStore(10, time.now);
    expect(await store.reserve('account', policy)).toEqual({ refused: false, locking: true });
    for (let i = 0; i < 20; i++) await store.increment(`ip:${i}`, 60_000);
    expect(store.size).toBe(10);
    expect(await store.increment('ip:new', 60_000)).toEqual({ count: Infinity, ttlMs: 60_000 });
    expect(await store.reserve('other account', policy)).toEqual({ refused: true, reason: 'full', ttlMs: 60_000 });
    expect(await store.reserve('account', policy)).toEqual({ refused: true, reason: 'locked', ttlMs: 600_000 });
    // The address counters' minute ends: they make room; the account's lock still holds.
    time.advance(60_000);
    expect(await store.increment('ip:new', 60_000)).toEqual({ count: 1, ttlMs: 60_000 });
    expect(store.size).toBe(2);
    expect(await store.reserve('account', policy)).toMatchObject({ refused: true, reason: 'locked' });
  });
});

describe('clientOf', () => {
  it('counts an IPv4 address as itself, also written IPv4-mapped', () => {
    expect(clientOf('203.0.113.7')).toBe('203.0.113.7');
    expect(clientOf('::ffff:203.0.113.7')).toBe('203.0.113.7');
  });

  it('counts every address of an IPv6 /64 as one client', () => {
    expect(clientOf('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(clientOf('2001:0db8:0001:0002::1')).toBe('2001:db8:1:2::/64');
    expect(clientOf('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientOf('::1')).toBe('0:0:0:0::/64');
  });
});

describe('account counter keys', () => {
  /** The keys a RateLimitService asks its store to reserve. */
  async function reservedKeys(secret: string, email: string): Promise<string[]> {
    const memory = new MemoryCounterStore();
    const seen: string[] = [];
    const recording: CounterStore = {
      increment: (key, ttlMs) => memory.increment(key, ttlMs),
      reserve: (key, policy) => (seen.push(key), memory.reserve(key, policy)),
      release: (key, locking) => memory.release(key, locking),
      clear: (key) => memory.clear(key),
    };
    await new RateLimitService(recording, config, signingKeysOf(secret)).reserveSignIn('203.0.113.9', email);
    return seen;
  }

  it('hold neither the email nor its plain hash, and follow the server secret', async () => {
    const typed = 'My Passphrase Typed As Email';
    const [key] = await reservedKeys('a'.repeat(32), typed);
    expect(key).not.toContain(typed.toLowerCase());
    expect(key).not.toContain(sha256Hex(typed.toLowerCase()).slice(0, 32));
    expect(await reservedKeys('a'.repeat(32), ` ${typed.toUpperCase()} `)).toEqual([key]);
    expect(await reservedKeys('b'.repeat(32), typed)).not.toEqual([key]);
  });
});
