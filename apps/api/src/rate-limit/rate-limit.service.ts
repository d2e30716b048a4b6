import { Inject, Injectable } from '@nestjs/common';
import { ApiError } from '../infra/http/api-error.js';
import { keyedHex } from '../common/crypto.js';
import { SIGNING_KEYS, derivedKey, type SigningKeys } from '../auth/signing-keys.js';
import { CONFIG, type Config } from '../infra/config/config.js';
import type { AttemptPolicy, CounterStore } from './counter-store.js';

export const COUNTER_STORE = Symbol('COUNTER_STORE');

const MINUTE = 60_000;
const FAILURE_WINDOW_MS = 15 * MINUTE;
/** The lock after too many failures: 30 s, doubling with each further failure, up to the window. */
export const ACCOUNT_LOCKS_MS = Array.from({ length: 6 }, (_, over) => Math.min(30_000 * 2 ** over, FAILURE_WINDOW_MS));

const tooMany = (ttlMs: number, what: string) => {
  const seconds = Math.max(1, Math.ceil(ttlMs / 1000));
  return new ApiError(
    'too_many_requests',
    `Too many ${what}; try again in ${seconds} s`,
    { retryAfter: seconds },
    429,
    {
      'retry-after': String(seconds),
    },
  );
};

/** One password check, counted as a failure from before it starts until it is known to be none. */
export interface SignInAttempt {
  /** The client IP and the account: what the password-hash queue limits per key. */
  readonly clients: readonly string[];
  /** The password was right: the account's failures and any lock are cleared. */
  succeeded(): Promise<void>;
  /** Not a failure after all (no password was judged, or a right one for a disabled account). */
  release(): Promise<void>;
}

/**
 * Who a per-address limit counts: an IPv4 address (also when written IPv4-mapped, `::ffff:a.b.c.d`),
 * or an IPv6 address's /64, since one subscriber commonly holds a whole /64.
 */
export function clientOf(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!address.includes(':')) return address;
  const [head = '', tail = ''] = address.toLowerCase().split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  const groups = address.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/**
 * Throttles password guessing without locking real users out for long: per client IP, and per
 * account (unknown emails exactly like known ones, so the limiter reveals nothing) with a lock
 * that grows with each failure and ends on its own; a successful sign-in clears it.
 */
@Injectable()
export class RateLimitService {
  private readonly accountPolicy: AttemptPolicy;

  /** Counter keys never hold an email in clear, nor its plain hash: a password typed as an email would show. */
  private readonly accountKey: Buffer;

  constructor(
    @Inject(COUNTER_STORE) private readonly store: CounterStore,
    @Inject(CONFIG) private readonly config: Config,
    @Inject(SIGNING_KEYS) keys: SigningKeys,
  ) {
    this.accountKey = derivedKey(keys, 'tessera rate limit: account');
    const limit = config.rateLimits.signInAccountFailures;
    this.accountPolicy = { limit, windowMs: FAILURE_WINDOW_MS, locksMs: ACCOUNT_LOCKS_MS };
  }

  private account(email: string): string {
    return keyedHex(this.accountKey, email.trim().toLowerCase());
  }

  /**
   * Before any password work: refuses an IP over its budget or a locked account, else reserves
   * the attempt atomically, so that however many arrive at once (on any process sharing Redis)
   * no more passwords are checked than the account has failures left.
   */
  async reserveSignIn(address: string, email: string): Promise<SignInAttempt> {
    const ip = clientOf(address);
    const perIp = await this.store.increment(`rl:signin:ip:${ip}`, MINUTE);
    if (perIp.count > this.config.rateLimits.signInPerIpPerMinute)
      throw tooMany(perIp.ttlMs, 'sign-in attempts from this address');
    const key = `rl:signin:account:${this.account(email)}`;
    const reservation = await this.store.reserve(key, this.accountPolicy);
    if (reservation.refused) {
      const what = reservation.reason === 'locked' ? 'failed sign-ins for this account' : 'sign-in attempts right now';
      throw tooMany(reservation.ttlMs, what);
    }
    return {
      clients: [`ip:${ip}`, key],
      succeeded: () => this.store.clear(key),
      release: () => this.store.release(key, reservation.locking),
    };
  }

  /**
   * Mail a stranger can make Tessera send (a password reset, a sign-up): a budget per address, known
   * or not, keyed like the account counters, so one address cannot be flooded from many IPs.
   */
  async perAddress(route: string, email: string, limit: number, windowMs: number): Promise<void> {
    const c = await this.store.increment(`rl:${route}:address:${this.account(email)}`, windowMs);
    if (c.count > limit) throw tooMany(c.ttlMs, 'requests for this address');
  }

  /** Unauthenticated routes other than sign-in (the dashboard code exchange): a budget per IP. */
  async perIp(route: string, address: string): Promise<void> {
    const c = await this.store.increment(`rl:${route}:ip:${clientOf(address)}`, MINUTE);
    if (c.count > this.config.rateLimits.publicPerIpPerMinute) throw tooMany(c.ttlMs, 'requests from this address');
  }
}
